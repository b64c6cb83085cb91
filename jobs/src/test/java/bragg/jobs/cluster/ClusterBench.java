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
 * <p>
 * Each Worker, with its executor, is pinned to a core of its own ({@code taskset -c i}), so
 * "one core per executor" holds for the 1-replica run too: unpinned, its executor's JIT and GC
 * threads borrow the core the second replica needs, and 2 vs 1 replicas compares 2 cores with
 * about 1.5. {@code --unpinned} (first argument) leaves the JVMs to the scheduler.
 */
public final class ClusterBench {
    private static final int WORKERS = 2;

    private ClusterBench() {
    }

    public static void main(String[] args) throws Exception {
        Path root = Path.of(System.getProperty("bragg.root.dir", ".")).toAbsolutePath().normalize();
        AppJar jar = AppJar.built(root);
        boolean pin = args.length == 0 || !args[0].equals("--unpinned");
        List<String> rest = List.of(args).subList(pin ? 0 : 1, args.length);
        int code;
        try (StandaloneCluster cluster = StandaloneCluster.startForBuild(root, root.resolve("jobs/target/cluster-bench"), WORKERS, pin)) {
            List<String> app = new ArrayList<>(List.of("bench", "allreduce", "--master", cluster.masterUrl(),
                    "--replicas", String.valueOf(WORKERS)));
            app.addAll(rest);
            System.out.println("cluster-bench: " + cluster.masterUrl() + ", " + WORKERS + " workers" + (pin ? " (worker i and its executor pinned to core i)" : " (unpinned)")
                    + "; spark-submit " + String.join(" ", app));
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
