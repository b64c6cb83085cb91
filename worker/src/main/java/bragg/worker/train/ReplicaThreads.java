package bragg.worker.train;

import org.nd4j.linalg.factory.Nd4j;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Sizes the native thread pools a replica computes on to the cores Spark gave its task
 * ({@code spark.task.cpus}): OpenBLAS's threads (every product of the fused layers) and
 * libnd4j's (the updater and the remaining ND4J ops). Left at their defaults, both take every core
 * of the machine, so N replicas of one executor would start N times as many threads as there are
 * cores, spin-waiting on each other. The Java attention kernel's pool is separate and already
 * one thread per core, shared by the executor's replicas.
 *
 * <p>Both settings are process-wide: every replica of an executor asks for the same count (its
 * task's cpus), so the last call wins harmlessly.
 */
public final class ReplicaThreads {
    private static final Logger LOG = LoggerFactory.getLogger(ReplicaThreads.class);

    private ReplicaThreads() {
    }

    /** Sets BLAS and libnd4j to {@code cores} threads. */
    public static void use(int cores) {
        if (cores < 1) {
            throw new IllegalArgumentException("replica threads must be >= 1 (spark.task.cpus); found " + cores);
        }
        Nd4j.factory().blas().setMaxThreads(cores);
        Nd4j.getEnvironment().setMaxThreads(cores);
        Nd4j.getEnvironment().setMaxMasterThreads(cores);
        LOG.debug("replica threads: BLAS and libnd4j at {} thread(s)", cores);
    }
}
