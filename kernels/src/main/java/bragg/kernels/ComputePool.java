package bragg.kernels;

import java.util.concurrent.ForkJoinPool;
import java.util.concurrent.ForkJoinWorkerThread;
import java.util.function.IntConsumer;
import java.util.stream.IntStream;

/**
 * The one pool of compute threads of a JVM: one daemon thread per available processor, shared by
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
                    p = new ForkJoinPool(Runtime.getRuntime().availableProcessors(), pool -> {
                        ForkJoinWorkerThread t = ForkJoinPool.defaultForkJoinWorkerThreadFactory.newThread(pool);
                        t.setDaemon(true);
                        t.setName("bragg-compute-" + t.getPoolIndex());
                        return t;
                    }, null, false);
                    shared = p;
                }
            }
        }
        return p;
    }

    /** Runs body(0..n-1) on {@code pool} and waits; the work items must write disjoint outputs. */
    public static void parallel(ForkJoinPool pool, int n, IntConsumer body) {
        if (n == 1) {
            body.accept(0);
            return;
        }
        pool.submit(() -> IntStream.range(0, n).parallel().forEach(body)).join();
    }
}
