package bragg.worker.train;

import bragg.kernels.ComputePool;
import bragg.worker.collective.Collective;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.FloatBuffer;
import org.deeplearning4j.nn.graph.ComputationGraph;
import org.deeplearning4j.nn.workspace.LayerWorkspaceMgr;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.dataset.MultiDataSet;

/**
 * One optimizer step of one replica: what {@link ReplicaTrainer} runs every step, and what
 * {@code bragg bench train} times (so the benchmark measures the training path itself).
 * <pre>
 *   N ranks, b = batch per micro-step, A = micro-steps per step, P = parameters
 *   A x (forward, backward)            -> DL4J flat gradient view [P], staged into g [P+1]
 *                                          (direct, little-endian; g[0]: the summed loss, g[1+i]: value i;
 *                                          micro-steps after the first are added)
 *   allReduce(g), bucket by bucket      -> sum over N ranks (bit-identical on all ranks); with
 *                                          bragg.train.overlap the last micro-step's buckets go out
 *                                          during its backward ({@link BucketedAllReduce})
 *   g /= N*A*b; clip to global L2 norm  (after every bucket: same g everywhere, same decision everywhere)
 *   one bulk copy back into the view; DL4J updater (AdamW, step-indexed schedule); params -= update
 * </pre>
 * Nothing of size P is allocated after construction.
 */
public final class ReplicaStep implements AutoCloseable {
    private final ComputationGraph graph;
    private final Collective coll;
    private final double clipNorm;
    private final INDArray gradView;   // [P] DL4J's flat gradient
    private final ByteBuffer wire;     // [4 (P+1)] bytes, direct: what the collective reduces in place
    private final FloatBuffer buf;     // [P+1] its float view
    private final BucketedAllReduce reduce;
    private final int p, batch, micro;
    private final double scale;
    /** Gradient values per chunk of the norm's pass (a fixed size, so that every rank sums alike). */
    private static final int CHUNK = 1 << 16;
    private final double[] chunkSq;     // [ceil(P / CHUNK)] each chunk's sum of squares
    private long computeNanos, commNanos;

    /**
     * @param batch samples per micro-step on this rank (b)
     * @param micro micro-steps per optimizer step (A)
     */
    public ReplicaStep(ComputationGraph graph, Collective coll, double clipNorm, int batch, int micro) {
        this(graph, coll, clipNorm, batch, micro, BucketSchedule.OFF);
    }

    /** As above, the gradient all-reduced by {@code buckets} (bragg.train.bucket-mb, bragg.train.overlap). */
    public ReplicaStep(ComputationGraph graph, Collective coll, double clipNorm, int batch, int micro,
                       BucketSchedule buckets) {
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
        wire = ByteBuffer.allocateDirect(4 * (p + 1)).order(ByteOrder.LITTLE_ENDIAN);
        buf = wire.asFloatBuffer();
        reduce = new BucketedAllReduce(graph, coll, wire, buckets);
        scale = 1.0 / ((double) coll.worldSize() * micro * batch);
        chunkSq = new double[(p + CHUNK - 1) / CHUNK];
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
        for (int m = 0; m < micro - 1; m++) {
            lossSum += backward(batches.get(m));
            reduce.stage(1, p + 1, m > 0);
        }
        MultiDataSet lastBatch = batches.get(micro - 1);
        reduce.begin(micro > 1);
        try {
            lossSum += backward(lastBatch);
            graph.clearLayersStates();
            buf.put(0, (float) lossSum);
        } catch (RuntimeException | Error e) {
            // The step is lost: stop the buckets still waiting for this backward before the next step.
            reduce.abandon(e);
            throw e;
        }
        long t1 = System.nanoTime();
        reduce.end();
        long t2 = System.nanoTime();
        // The scale and the squares in chunks of fixed size on the compute pool, the chunks' sums
        // added in chunk order: the same norm on every rank whatever its core count.
        ComputePool.parallel(ComputePool.shared(), chunkSq.length, c -> {
            double s = 0;
            for (int i = 1 + c * CHUNK, end = Math.min(p, (c + 1) * CHUNK); i <= end; i++) {
                float v = (float) (buf.get(i) * scale);
                buf.put(i, v);
                s += (double) v * v;
            }
            chunkSq[c] = s;
        });
        double sq = 0;
        for (double s : chunkSq) {
            sq += s;
        }
        double norm = Math.sqrt(sq);
        if (!Double.isFinite(norm)) {
            throw new IllegalStateException("rank " + coll.rank() + ": gradient norm is " + norm + " at step " + step
                    + " (epoch " + epoch + "); lower bragg.train.learning-rate or check the data for extreme values");
        }
        if (clipNorm > 0 && norm > clipNorm) {
            float f = (float) (clipNorm / norm);
            ComputePool.parallel(ComputePool.shared(), chunkSq.length, c -> {
                for (int i = 1 + c * CHUNK, end = Math.min(p, (c + 1) * CHUNK); i <= end; i++) {
                    buf.put(i, buf.get(i) * f);
                }
            });
        }
        FloatBuffer view = gradView.data().asNioFloat();
        view.put(Math.toIntExact(gradView.offset()), buf, 1, p);
        graph.getUpdater().update(graph.gradient(), (int) step, epoch, 1, LayerWorkspaceMgr.noWorkspaces());
        INDArray params = graph.params();
        params.subi(gradView.reshape(params.shape()));
        computeNanos = (t1 - t0) + (System.nanoTime() - t2);
        commNanos = t2 - t1;
        return buf.get(0) * scale;
    }

    /** One micro-step's forward and backward into DL4J's flat gradient; returns its summed loss. */
    private double backward(MultiDataSet mb) {
        graph.setInputs(mb.getFeatures());
        graph.setLabels(mb.getLabels());
        graph.computeGradientAndScore();
        return graph.score() * batch;
    }

    /** Wall time of the last step outside that wait, in ms. */
    public double computeMillis() {
        return computeNanos / 1e6;
    }

    /** Wall time the last step waited for its all-reduce after the backward, in ms (with overlap: the part not hidden). */
    public double commMillis() {
        return commNanos / 1e6;
    }

    /** Gradient buckets a step all-reduces (1 without bragg.train.bucket-mb). */
    public int buckets() {
        return reduce.buckets();
    }

    /** Buckets of the last step whose all-reduce began while its backward still ran (0 without overlap). */
    public int overlappedBuckets() {
        return reduce.early();
    }

    /** Stops the communication thread, if any. */
    @Override
    public void close() {
        reduce.close();
    }
}
