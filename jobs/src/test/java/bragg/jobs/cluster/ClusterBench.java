package bragg.jobs.cluster;

import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * {@code scripts/cluster-bench}: starts the 2-Worker standalone cluster that
 * {@link StandaloneClusterIT} runs on (a Master and two Workers of one core each, separate
 * JVMs on 127.0.0.1), submits {@code bench allreduce --master <its URL> <args>} to it with
 * Spark's own SparkSubmit, one 1-core executor per Worker with one native thread
 * (OMP_NUM_THREADS=1), prints the driver's output and stops the cluster. Exit code: the
 * submission's. Logs of every JVM stay in jobs/target/cluster-bench/logs.
 */
public final class ClusterBench {
    private static final int WORKERS = 2;

    private ClusterBench() {
    }

    public static void main(String[] args) throws Exception {
        Path root = Path.of(System.getProperty("bragg.root.dir", ".")).toAbsolutePath().normalize();
        AppJar jar = AppJar.built(root);
        int code;
        try (StandaloneCluster cluster = StandaloneCluster.startForBuild(root, root.resolve("jobs/target/cluster-bench"), WORKERS)) {
            List<String> app = new ArrayList<>(List.of("bench", "allreduce", "--master", cluster.masterUrl(),
                    "--replicas", String.valueOf(WORKERS)));
            app.addAll(List.of(args));
            System.out.println("cluster-bench: " + cluster.masterUrl() + ", " + WORKERS + " workers; spark-submit " + String.join(" ", app));
            // the executors compute and run the ring: they get the full JIT a user's executors have
            Submission s = cluster.submit("bench-allreduce", jar, Map.of("spark.executorEnv.OMP_NUM_THREADS", "1",
                    "spark.barrier.sync.timeout", "600s", "spark.executor.extraJavaOptions",
                    cluster.fullJitExecutorOptions()), app, Duration.ofMinutes(40));
            System.out.println(s.output());
            code = s.exitCode();
        }
        System.exit(code);
    }
}
