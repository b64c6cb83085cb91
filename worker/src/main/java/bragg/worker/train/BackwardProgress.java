package bragg.worker.train;

import bragg.worker.model.layers.BackwardListener;
import bragg.worker.model.layers.BraggLayer;
import java.util.IdentityHashMap;
import java.util.Map;
import org.deeplearning4j.nn.api.Layer;
import org.deeplearning4j.nn.graph.ComputationGraph;
import org.deeplearning4j.nn.graph.vertex.GraphVertex;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * How far the backward has come, as the lowest index of DL4J's flat gradient [P] from which
 * every value is final.
 *
 * <p>DL4J's ComputationGraph runs the backward over the vertices in reverse topological order,
 * one at a time, and a layer writes its parameter gradients (into its slice of the flat view)
 * before its backpropGradient returns. So when the vertex at topological position k starts, every
 * vertex after k is done, and the final range is everything above the highest parameter of the
 * vertices at or before k. No assumption is made on how DL4J lays the slices out: a range is
 * called final only when no unfinished vertex has a parameter in it.
 *
 * <p>Only bragg layers report ({@link BackwardListener}); DL4J's own layers (the output layer, a
 * stock dense or convolution layer) are covered by the next report of a bragg layer below them,
 * and those below every bragg layer by {@link #complete()}, after the whole backward. A vertex
 * whose parameters cannot be located in the flat view holds everything back until complete().
 * <pre>
 *   compute thread: arm(); [starting/finished per bragg layer]; complete() or abort(cause)
 *   comm thread:    awaitFinal(from) / awaitComplete(), in bucket order
 * </pre>
 */
final class BackwardProgress implements BackwardListener {
    private final int p;
    private final Map<Layer, Integer> position = new IdentityHashMap<>();
    private final int[] finalFrom;   // [V + 1] the final range's start once positions >= k are done
    private int reached;             // guarded by this: [reached, P) is final
    private boolean armed;
    private boolean complete;
    private Throwable failure;

    BackwardProgress(ComputationGraph graph) {
        INDArray flat = graph.getFlattenedGradients();
        p = Math.toIntExact(flat.length());
        int[] order = graph.topologicalSortOrder();
        GraphVertex[] vertices = graph.getVertices();
        int[] end = new int[order.length];   // [V] one past the highest flat index of position k's parameters
        for (int k = 0; k < order.length; k++) {
            GraphVertex v = vertices[order[k]];
            if (v.hasLayer()) {
                position.put(v.getLayer(), k);
                end[k] = end(v.getLayer(), flat, v.getVertexName());
            } else if (!v.paramTable(false).isEmpty()) {
                end[k] = p;   // parameters outside a layer: not located, so final only after the backward
            }
        }
        finalFrom = new int[order.length + 1];
        for (int k = 1; k <= order.length; k++) {
            finalFrom[k] = Math.max(finalFrom[k - 1], end[k - 1]);
        }
        reached = p;
    }

    /** One past the flat-gradient index of {@code layer}'s last parameter gradient (0: it has none, P: unknown). */
    private int end(Layer layer, INDArray flat, String name) {
        if (layer.numParams() == 0) {
            return 0;
        }
        INDArray view = layer.getGradientsViewArray();
        if (view == null || view.data() == null) {
            return p;
        }
        long start = (view.data().address() - flat.data().address()) / 4 + view.offset() - flat.offset();
        long stop = start + view.length();
        if (start < 0 || stop > p) {
            throw new IllegalStateException("layer " + name + ": its gradient view [" + start + ", " + stop
                    + ") is not inside the graph's flat gradient of " + p + " values");
        }
        return (int) stop;
    }

    /** Makes every bragg layer of {@code graph} report to this. */
    void attach(ComputationGraph graph) {
        listen(graph, this);
    }

    /** Stops the reports: the layers go back to telling nobody. */
    void detach(ComputationGraph graph) {
        listen(graph, BackwardListener.NONE);
    }

    private static void listen(ComputationGraph graph, BackwardListener l) {
        for (Layer layer : graph.getLayers()) {
            if (layer instanceof BraggLayer<?> b) {
                b.setBackwardListener(l);
            }
        }
    }

    /** Starts a backward whose gradients are wanted: nothing is final yet. */
    synchronized void arm() {
        reached = p;
        armed = true;
        complete = false;
        failure = null;
    }

    @Override
    public void starting(Layer layer) {
        advance(layer, 1);
    }

    @Override
    public void finished(Layer layer) {
        advance(layer, 0);
    }

    private synchronized void advance(Layer layer, int after) {
        Integer k = position.get(layer);
        if (!armed || k == null) {
            return;   // a micro-step whose gradient is staged after its backward, or a layer of another graph
        }
        int r = finalFrom[k + after];
        if (r < reached) {
            reached = r;
            notifyAll();
        }
    }

    /** The backward is over and what follows it (the loss) is written: everything is final. */
    synchronized void complete() {
        reached = 0;
        armed = false;
        complete = true;
        notifyAll();
    }

    /** The backward failed: the waiter wakes with {@code cause}. */
    synchronized void abort(Throwable cause) {
        armed = false;
        failure = cause;
        notifyAll();
    }

    /** The lowest flat-gradient index from which every value is final now (P: none yet). */
    synchronized int reached() {
        return reached;
    }

    /** Whether {@link #complete()} came since the last {@link #arm()}. */
    synchronized boolean isComplete() {
        return complete;
    }

    /** Waits until flat gradient indices {@code [from, P)} are final. */
    synchronized void awaitFinal(int from) throws InterruptedException {
        while (reached > from) {
            waitOrFail();
        }
    }

    /** Waits for {@link #complete()}. */
    synchronized void awaitComplete() throws InterruptedException {
        while (!complete) {
            waitOrFail();
        }
    }

    private void waitOrFail() throws InterruptedException {
        if (failure != null) {
            throw new BackwardFailed(failure);
        }
        wait();
    }

    /** What the comm thread ends with when the backward it waited on failed (the step is lost). */
    static final class BackwardFailed extends IllegalStateException {
        BackwardFailed(Throwable cause) {
            super("the backward failed: " + cause, cause);
        }
    }
}
