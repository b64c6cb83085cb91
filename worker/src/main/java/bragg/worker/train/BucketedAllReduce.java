package bragg.worker.train;

import bragg.worker.collective.Collective;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.FloatBuffer;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.deeplearning4j.nn.graph.ComputationGraph;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * The all-reduce of one step's gradient, bucket by bucket ({@link BucketSchedule}): on this
 * replica's one communication thread while the backward still runs (overlapped), or on the
 * caller's thread after it.
 * <pre>
 *   wire [P+1]  index 0: the summed loss; index 1+i: flat gradient value i (DL4J's view [P])
 *   bucket [s, e) of wire, in schedule order: wait until gradient [s-1, P) is final (s = 0: the
 *                 whole backward and the loss), stage it into the wire, allReduce(wire, s, e-s)
 * </pre>
 * The loss sits at index 0, in the bucket reduced last, because it is known only after the
 * backward. Both modes stage the same values and make the same calls in the same order, so they
 * give the same bits. One thread makes every call of a step, in order: the collectives are not
 * made for concurrent calls, and every rank must make the same calls in the same order.
 *
 * <p>Protocol per step (compute thread): {@link #stage} the micro-steps before the last, then
 * {@link #begin}, the last backward, and {@link #end} or, when anything in between failed,
 * {@link #abandon}: it returns only once the communication thread has stopped, so no call of a
 * lost step can run into the next one.
 */
final class BucketedAllReduce implements AutoCloseable {
    private final ComputationGraph graph;
    private final Collective coll;
    private final ByteBuffer wire;
    private final FloatBuffer buf;        // [P+1] float view of wire
    private final FloatBuffer grad;       // DL4J's flat gradient buffer; view value i at gradOff + i
    private final int gradOff;
    private final int[][] buckets;        // [k][2] wire ranges in reduce order
    private final BackwardProgress progress;   // null unless overlapped
    private final ExecutorService comm;        // null unless overlapped
    private Future<?> running;
    private boolean accumulate;
    private volatile int early;   // buckets of the current step whose wait ended before the backward did

    BucketedAllReduce(ComputationGraph graph, Collective coll, ByteBuffer wire, BucketSchedule schedule) {
        this.graph = graph;
        this.coll = coll;
        this.wire = wire;
        this.buf = wire.asFloatBuffer();
        INDArray view = graph.getFlattenedGradients();
        this.grad = view.data().asNioFloat();
        this.gradOff = Math.toIntExact(view.offset());
        this.buckets = schedule.buckets(buf.capacity());
        // One bucket, or nobody to wait for: nothing to overlap, so no thread.
        boolean overlapped = schedule.overlap() && buckets.length > 1 && coll.worldSize() > 1;
        if (overlapped) {
            progress = new BackwardProgress(graph);
            progress.attach(graph);
            int rank = coll.rank();
            comm = Executors.newSingleThreadExecutor(r -> {
                Thread t = new Thread(r, "bragg-grad-reduce-rank" + rank);
                t.setDaemon(true);   // never keeps an executor JVM alive; close() stops it in order
                return t;
            });
        } else {
            progress = null;
            comm = null;
        }
    }

    /** Number of buckets a step reduces. */
    int buckets() {
        return buckets.length;
    }

    /** Whether the buckets go out on the communication thread during the backward. */
    boolean overlapped() {
        return comm != null;
    }

    /** Buckets of the last step whose all-reduce began while its backward still ran. */
    int early() {
        return early;
    }

    /**
     * Stages gradient values {@code [from-1, to-1)} into wire {@code [from, to)} (index 0, the
     * loss, left alone): copied, or added to what earlier micro-steps staged.
     */
    void stage(int from, int to, boolean add) {
        int lo = Math.max(from, 1);
        if (lo >= to) {
            return;
        }
        if (add) {
            for (int w = lo; w < to; w++) {
                buf.put(w, buf.get(w) + grad.get(gradOff + w - 1));
            }
        } else {
            buf.put(lo, grad, gradOff + lo - 1, to - lo);
        }
    }

    /**
     * Call right before the backward of the step's last micro-step: when overlapped, the buckets
     * start going out as the backward passes them.
     *
     * @param add whether the last micro-step's gradient is added to what earlier ones staged
     */
    void begin(boolean add) {
        accumulate = add;
        early = 0;
        if (comm != null) {
            progress.arm();
            running = comm.submit(() -> {
                reduceDuring();
                return null;
            });
        }
    }

    /**
     * Call once the backward is over and the loss is in wire index 0: returns when every bucket
     * is reduced.
     *
     * @throws IOException naming the bucket whose all-reduce failed, with the collective's cause
     */
    void end() throws IOException {
        if (comm == null) {
            reduceAfter();
            return;
        }
        progress.complete();
        Future<?> f = running;
        running = null;
        try {
            f.get();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IOException("rank " + coll.rank() + ": interrupted while waiting for the gradient all-reduce", e);
        } catch (ExecutionException e) {
            Throwable c = e.getCause();
            if (c instanceof IOException io) {
                throw io;
            }
            throw new IOException("rank " + coll.rank() + ": the gradient all-reduce thread failed: " + c, c);
        }
    }

    /**
     * The step failed between {@link #begin} and {@link #end} with {@code cause}: wakes the
     * communication thread and waits until it has stopped (at once when it waits for the backward,
     * else after the bucket it is reducing). What it failed with, other than the wake-up, is added
     * to {@code cause} as suppressed.
     */
    void abandon(Throwable cause) {
        Future<?> f = running;
        running = null;
        if (f == null) {
            return;
        }
        progress.abort(cause);
        try {
            f.get();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            cause.addSuppressed(e);
        } catch (ExecutionException e) {
            if (!(e.getCause() instanceof BackwardProgress.BackwardFailed)) {
                cause.addSuppressed(e.getCause());
            }
        }
    }

    /** The communication thread's step: each bucket as soon as the backward has made it final. */
    private void reduceDuring() throws IOException, InterruptedException {
        for (int i = 0; i < buckets.length; i++) {
            int s = buckets[i][0];
            if (s == 0) {
                progress.awaitComplete();
            } else {
                progress.awaitFinal(s - 1);
            }
            if (!progress.isComplete()) {
                early++;
            }
            reduce(i);
        }
    }

    /** The buckets one after the other, the backward over. */
    private void reduceAfter() throws IOException {
        for (int i = 0; i < buckets.length; i++) {
            reduce(i);
        }
    }

    private void reduce(int i) throws IOException {
        int s = buckets[i][0], e = buckets[i][1];
        stage(s, e, accumulate);
        try {
            coll.allReduce(wire, s, e - s);
        } catch (IOException ex) {
            throw new IOException("rank " + coll.rank() + ": all-reduce of gradient bucket " + i + " of "
                    + buckets.length + " (values [" + s + ", " + e + ")) failed: " + ex.getMessage(), ex);
        }
    }

    /** Stops the communication thread (interrupting a call in flight) and detaches from the layers. */
    @Override
    public void close() {
        if (comm != null) {
            comm.shutdownNow();
            progress.detach(graph);
        }
    }
}
