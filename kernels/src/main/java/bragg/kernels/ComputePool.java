package bragg.kernels;

import java.util.concurrent.ForkJoinPool;
import java.util.concurrent.ForkJoinWorkerThread;
import java.util.function.IntConsumer;
import java.util.stream.IntStream;

/**
 * The one pool of compute threads of a JVM: one daemon thread per core it may use (every
 * available processor, unless {@link #useThreads} says fewer: an executor's share), shared by
 * the Java attention kernel and the split matrix products of the fused layers (bragg.worker's
 * Gemm). One pool, so the two never run beside each other on the same cores: a second pool (such
 * as OpenBLAS's own threads, which spin for about 0.1 s after every product) would take a core
 * from whichever computes next.
 */
public final class ComputePool {
    private static volatile ForkJoinPool shared;

    private ComputePool() {
    }

    /** The JVM's pool, created on first use. */
    public static ForkJoinPool shared() {
        ForkJoinPool p = shared;
        if (p == null) {
            synchronized (ComputePool.class) {
                p = shared;
                if (p == null) {
                    p = newPool(Runtime.getRuntime().availableProcessors());
                    shared = p;
                }
            }
        }
        return p;
    }

    /**
     * Sizes the pool to {@code threads} (at most the available processors). A Spark executor
     * granted 1 of a node's 64 cores must not compute on 64 threads beside the node's other
     * executors; its tasks call this with the executor's cores. Callers that still hold the old
     * pool finish on it, and its idle threads end by themselves (it is not shut down under them).
     */
    public static void useThreads(int threads) {
        if (threads < 1) throw new IllegalArgumentException("compute threads must be >= 1; found " + threads);
        int want = Math.min(threads, Runtime.getRuntime().availableProcessors());
        synchronized (ComputePool.class) {
            if (shared == null || shared.getParallelism() != want) shared = newPool(want);
        }
    }

    private static ForkJoinPool newPool(int threads) {
        return new ForkJoinPool(threads, pool -> {
            ForkJoinWorkerThread t = ForkJoinPool.defaultForkJoinWorkerThreadFactory.newThread(pool);
            t.setDaemon(true);
            t.setName("bragg-compute-" + t.getPoolIndex());
            return t;
        }, null, false);
    }

    /** Runs body(0..n-1) on {@code pool} and waits; the work items must write disjoint outputs. */
    public static void parallel(ForkJoinPool pool, int n, IntConsumer body) {
        if (n == 1) {
            body.accept(0);
            return;
        }
        pool.submit(() -> IntStream.range(0, n).parallel().forEach(body)).join();
    }

    /** Below this many elements a pass over rows runs on the calling thread: a fork costs ~10 us. */
    private static final long SPLIT_MIN_ELEMENTS = 1 << 15;

    /** Items [from, to) of block {@code part}. */
    public interface Block {
        void run(int from, int to, int part);
    }

    /**
     * Blocks for a pass over n items of {@code elements} elements in all: one per thread of the
     * shared pool, each of at least {@code minItems} items, or 1 for a small pass.
     */
    public static int parts(int n, long elements, int minItems) {
        return elements < SPLIT_MIN_ELEMENTS ? 1 : Math.max(1, Math.min(shared().getParallelism(), n / minItems));
    }

    /** body over items [0, n) in {@code parts} contiguous blocks, on the shared pool. */
    public static void blocks(int n, int parts, Block body) {
        int per = (n + parts - 1) / parts;
        parallel(shared(), parts, p -> body.run(p * per, Math.min(n, (p + 1) * per), p));
    }

    /** One accumulator per block: [0] is {@code into} itself, the others zeroed copies of its length. */
    public static float[][] partials(float[] into, int parts) {
        float[][] s = new float[parts][];
        s[0] = into;
        for (int p = 1; p < parts; p++) {
            s[p] = new float[into.length];
        }
        return s;
    }

    /** Adds the blocks' partials into partials[0] in block order (the same sums on every run). */
    public static void addUp(float[][] partials) {
        for (int p = 1; p < partials.length; p++) {
            for (int j = 0; j < partials[0].length; j++) {
                partials[0][j] += partials[p][j];
            }
        }
    }
}
