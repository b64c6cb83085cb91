package bragg.worker.train;

import bragg.worker.collective.Collective;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.FloatBuffer;
import org.deeplearning4j.nn.graph.ComputationGraph;
import org.deeplearning4j.nn.workspace.LayerWorkspaceMgr;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.dataset.MultiDataSet;
import org.nd4j.linalg.factory.Nd4j;

/**
 * One optimizer step of one replica: what {@link ReplicaTrainer} runs every step, and what
 * {@code bragg bench train} times (so the benchmark measures the training path itself).
 * <pre>
 *   N ranks, b = batch per micro-step, A = micro-steps per step, P = parameters
 *   A x (forward, backward)            -> DL4J flat gradient view [P] (summed into acc [P] when A > 1)
 *   one bulk copy into g [P+1]          (direct, little-endian; last element: the summed loss)
 *   allReduce(g)                        -> sum over N ranks (bit-identical on all ranks)
 *   g /= N*A*b; clip to global L2 norm  (same g everywhere, so the same decision everywhere)
 *   one bulk copy back into the view; DL4J updater (AdamW, step-indexed schedule); params -= update
 * </pre>
 * The gradient is copied into the buffer the collective sends from and receives into in place,
 * and back, exactly once each per step, as bulk native copies; nothing of size P is allocated
 * after construction.
 */
public final class ReplicaStep {
    private final ComputationGraph graph;
    private final Collective coll;
    private final double clipNorm;
    private final INDArray gradView;   // [P] DL4J's flat gradient
    private final INDArray acc;        // [P] sum of micro-gradients, only when A > 1
    private final ByteBuffer wire;     // [4 (P+1)] bytes, direct: what the collective reduces in place
    private final FloatBuffer buf;     // [P+1] its float view
    private final int p, batch, micro;
    private final double scale;
    private long computeNanos, commNanos;

    /**
     * @param batch samples per micro-step on this rank (b)
     * @param micro micro-steps per optimizer step (A)
     */
    public ReplicaStep(ComputationGraph graph, Collective coll, double clipNorm, int batch, int micro) {
        this.graph = graph;
        this.coll = coll;
        this.clipNorm = clipNorm;
        this.batch = batch;
        this.micro = micro;
        if (graph.getFlattenedGradients() == null) {
            graph.initGradientsView(); // DL4J allocates the flat gradient view lazily
        }
        gradView = graph.getFlattenedGradients();
        p = Math.toIntExact(graph.params().length());
        acc = micro > 1 ? Nd4j.zeros(gradView.dataType(), gradView.shape()) : null;
        wire = ByteBuffer.allocateDirect(4 * (p + 1)).order(ByteOrder.LITTLE_ENDIAN);
        buf = wire.asFloatBuffer();
        scale = 1.0 / ((double) coll.worldSize() * micro * batch);
    }

    /** Source of the m-th micro-batch of this step. */
    @FunctionalInterface
    public interface Batches {
        MultiDataSet get(int m);
    }

    /**
     * Runs the step; returns the mean loss per sample over all ranks.
     *
     * @throws IllegalStateException naming rank, step and epoch when the gradient norm is not finite
     */
    public double run(Batches batches, long step, int epoch) throws IOException {
        long t0 = System.nanoTime();
        double lossSum = 0;
        if (acc != null) {
            acc.assign(0);
        }
        for (int m = 0; m < micro; m++) {
            MultiDataSet mb = batches.get(m);
            graph.setInputs(mb.getFeatures());
            graph.setLabels(mb.getLabels());
            graph.computeGradientAndScore();
            lossSum += graph.score() * batch;
            if (acc != null) {
                acc.addi(gradView);
            }
        }
        graph.clearLayersStates();
        INDArray g = acc != null ? acc : gradView;
        buf.put(0, g.data().asNioFloat(), Math.toIntExact(g.offset()), p);
        buf.put(p, (float) lossSum);
        long t1 = System.nanoTime();
        coll.allReduce(wire, 0, p + 1);
        long t2 = System.nanoTime();
        double sq = 0;
        for (int i = 0; i < p; i++) {
            float v = (float) (buf.get(i) * scale);
            buf.put(i, v);
            sq += (double) v * v;
        }
        double norm = Math.sqrt(sq);
        if (!Double.isFinite(norm)) {
            throw new IllegalStateException("rank " + coll.rank() + ": gradient norm is " + norm + " at step " + step
                    + " (epoch " + epoch + "); lower bragg.train.learning-rate or check the data for extreme values");
        }
        if (clipNorm > 0 && norm > clipNorm) {
            float c = (float) (clipNorm / norm);
            for (int i = 0; i < p; i++) {
                buf.put(i, buf.get(i) * c);
            }
        }
        FloatBuffer view = gradView.data().asNioFloat();
        view.put(Math.toIntExact(gradView.offset()), buf, 0, p);
        graph.getUpdater().update(graph.gradient(), (int) step, epoch, 1, LayerWorkspaceMgr.noWorkspaces());
        INDArray params = graph.params();
        params.subi(gradView.reshape(params.shape()));
        computeNanos = (t1 - t0) + (System.nanoTime() - t2);
        commNanos = t2 - t1;
        return buf.get(p) * scale;
    }

    /** Wall time of the last step outside the collective, in ms. */
    public double computeMillis() {
        return computeNanos / 1e6;
    }

    /** Wall time of the last step's all-reduce, in ms. */
    public double commMillis() {
        return commNanos / 1e6;
    }
}
