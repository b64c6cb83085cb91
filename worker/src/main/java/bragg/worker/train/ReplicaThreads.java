package bragg.worker.train;

import bragg.kernels.ComputePool;
import bragg.worker.model.ops.Gemm;
import org.nd4j.linalg.factory.Nd4j;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Sizes the native thread pools a replica computes on: libnd4j's OpenMP threads (the updater
 * and the remaining ND4J ops) and OpenBLAS's. Left at their defaults, both take every core of the
 * machine, so N replicas of one executor would start N times as many threads as there are cores,
 * spin-waiting on each other. OpenBLAS goes to one thread: the fused layers' products are split
 * over the JVM's compute pool ({@link bragg.worker.model.ops.Gemm}, the same pool as the Java
 * attention kernel, one thread per core, shared by the executor's replicas), and OpenBLAS's own
 * workers would spin beside it. libnd4j gets {@code cores} threads ({@code spark.task.cpus}) for
 * large ND4J work, and a passive OpenMP wait policy is what bin/bragg and the cluster
 * settings in the README give its workers, so they sleep instead of spinning between ops.
 *
 * <p>Both settings are process-wide: every replica of an executor asks for the same count (its
 * task's cpus), so the last call wins harmlessly.
 */
public final class ReplicaThreads {
    private static final Logger LOG = LoggerFactory.getLogger(ReplicaThreads.class);

    private ReplicaThreads() {
    }

    /**
     * The same, with the JVM's compute pool sized to the cores Spark granted the executor
     * ({@code executorCores}, which its replicas share), not to the machine's.
     */
    public static void use(int cores, int executorCores) {
        use(cores);
        ComputePool.useThreads(executorCores);
    }

    /** Sets libnd4j to {@code cores} threads and OpenBLAS to one. */
    public static void use(int cores) {
        if (cores < 1) {
            throw new IllegalArgumentException("replica threads must be >= 1 (spark.task.cpus); found " + cores);
        }
        Gemm.useSingleThreadedBlas();
        Nd4j.getEnvironment().setMaxThreads(cores);
        Nd4j.getEnvironment().setMaxMasterThreads(cores);
        LOG.debug("replica threads: libnd4j at {} thread(s), OpenBLAS at 1 (products split by Gemm)", cores);
    }
}
