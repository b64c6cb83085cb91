package bragg.jobs.bench;

import bragg.driver.generate.StemGenerator;
import bragg.driver.generate.StemSpec;
import bragg.driver.preprocess.PreprocessJob;
import bragg.driver.preprocess.PreprocessOptions;
import bragg.driver.spark.SparkSessions;
import bragg.driver.train.AllReduceStage;
import bragg.jobs.config.BraggConfig;
import bragg.jobs.report.Json;
import bragg.worker.collective.CollectiveConfig;
import bragg.worker.collective.Compression;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import org.apache.spark.api.java.JavaSparkContext;
import org.apache.spark.sql.SparkSession;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * {@code bragg bench allreduce}: the gradient all-reduce through real barrier stages against the
 * loopback TCP limit and against the allGather transport, and training scaling 2 replicas vs 1.
 * Prints a table, then one JSON line.
 * <pre>
 *   algbw = bytes / time                      (time: median over reps of the slowest rank)
 *   busbw = algbw * 2(N-1)/N                  (nccl-tests' convention: what each link carried)
 *   loopback = one TCP stream between this JVM and a second one (on a cluster: between the two
 *              executors), bytes / time, the median of 3
 *   bound = 1 / ((send + recv) * loopback)    (send, recv: CPU seconds per GB of the stream's two
 *              threads: a 2-rank ring whose ranks have one core each pays both on that core)
 * </pre>
 * Bandwidths are in GB/s (10^9 bytes). Runs on whatever master Spark is given: local[2] under
 * bin/bragg, the cluster under spark-submit (the ranks are then on real executors).
 */
@Command(name = "allreduce", mixinStandardHelpOptions = true,
        description = "Ring all-reduce busbw (1, 16, 64 MB) vs loopback TCP and vs the allGather transport, and training "
                + "scaling 2 replicas vs 1; table, then a JSON line.")
public final class AllReduceBench implements Runnable {
    static final int MB = 1 << 20;

    @Option(names = "--replicas", description = "ranks of the all-reduce stage (default ${DEFAULT-VALUE})")
    int replicas = 2;

    @Option(names = "--reps", description = "timed all-reduces per size, median reported (default ${DEFAULT-VALUE})")
    int reps = 7;

    @Option(names = "--loopback-mb", description = "bytes sent for the loopback limit, in MB (default ${DEFAULT-VALUE})")
    int loopbackMb = 1024;

    @Option(names = "--scaling-steps", description = "training steps per scaling probe; the second half is timed (default ${DEFAULT-VALUE})")
    int scalingSteps = 600;

    @Option(names = "--skip-scaling", description = "skip the training-scaling runs")
    boolean skipScaling;

    @Option(names = "--scaling-only", description = "only the training-scaling runs, no all-reduce rows")
    boolean scalingOnly;

    @Option(names = "--train", paramLabel = "KEY=VALUE", description = "a bragg.train.* setting for the scaling runs "
            + "(repeatable), e.g. --train bragg.train.overlap=false --train bragg.train.bucket-mb=0.1")
    List<String> train = new ArrayList<>();

    @Option(names = "--master", description = "Spark master, e.g. spark://host:7077 (default: what spark-submit gave, "
            + "else local[cores]); on a cluster the ranks and the scaling runs are on its executors, which should have "
            + "one core each (spark.executor.cores=1) and spark.executorEnv.OMP_NUM_THREADS=1")
    String master;

    @Override
    public void run() {
        if (replicas < 2 || reps < 1 || loopbackMb < 1 || scalingSteps < ScalingProbe.MIN_STEPS) {
            throw new IllegalArgumentException("--replicas must be >= 2, --reps and --loopback-mb >= 1, --scaling-steps >= "
                    + ScalingProbe.MIN_STEPS + "; found " + replicas + ", " + reps + ", " + loopbackMb + ", " + scalingSteps);
        }
        for (String t : train) {
            if (!t.startsWith("bragg.train.") || !t.contains("=")) {
                throw new IllegalArgumentException("--train takes bragg.train.KEY=VALUE, found '" + t + "'");
            }
        }
        if (scalingOnly && skipScaling) {
            throw new IllegalArgumentException("--scaling-only and --skip-scaling leave nothing to measure");
        }
        try {
            measure();
        } catch (IOException | InterruptedException e) {
            throw new IllegalStateException("bench allreduce: " + e.getMessage(), e);
        }
    }

    /** Loopback streams per form; the median is reported. */
    private static final int LOOPBACK_RUNS = 3;

    private void measure() throws IOException, InterruptedException {
        Map<String, Object> json = new LinkedHashMap<>();
        String master;
        if (scalingOnly) {
            SparkSession spark = SparkSessions.getOrCreate("bragg bench allreduce", sparkConf(Map.of()));
            master = spark.sparkContext().master();
            spark.stop();
            json.put("master", master);
        } else {
            master = collectives(json);
        }
        if (!skipScaling) {
            boolean local = master.startsWith("local");
            ScalingProbe.Result[] runs = scaling(local);
            System.out.printf(Locale.ROOT, "%ntraining samples/s (vit, 1 core and 1 native thread per replica, %s): "
                    + "1 replica %.1f, 2 replicas %.1f; rank 0's compute %.2f / %.2f ms a step, its all-reduce wait "
                    + "after the backward %.2f ms a step with 2%n",
                    local ? "a child JVM per run" : "on the cluster's executors",
                    runs[0].samplesPerSec(), runs[1].samplesPerSec(), runs[0].computeMs(), runs[1].computeMs(),
                    runs[1].commMs());
            json.put("samples_per_s_1", round(runs[0].samplesPerSec()));
            json.put("samples_per_s_2", round(runs[1].samplesPerSec()));
            json.put("scaling_2_vs_1", round(runs[1].samplesPerSec() / runs[0].samplesPerSec()));
            json.put("compute_ms_1", round(runs[0].computeMs()));
            json.put("compute_ms_2", round(runs[1].computeMs()));
            json.put("comm_ms_2", round(runs[1].commMs()));
            json.put("train_settings", String.join(" ", train));
        }
        System.out.println(Json.write(json));
    }

    /** The all-reduce rows: prints them, puts them into {@code json}; returns the Spark master. */
    private String collectives(Map<String, Object> json) throws IOException, InterruptedException {
        SparkSession spark = SparkSessions.getOrCreate("bragg bench allreduce", sparkConf(Map.of()));
        String master = spark.sparkContext().master();
        // Local: driver and executor are one JVM, so the stream goes to a second JVM. Cluster: the
        // stream runs between the two executors the ring runs on, on their cores.
        boolean onExecutors = !master.startsWith("local") && replicas == 2;
        JavaSparkContext js = JavaSparkContext.fromSparkContext(spark.sparkContext());
        // the median of 3 streams, as the ring rows are medians: one stream swung 1.3-1.7 GB/s between runs
        double[] one = new double[LOOPBACK_RUNS];
        double[] both = new double[LOOPBACK_RUNS];
        double[] sendCpu = new double[LOOPBACK_RUNS];
        double[] recvCpu = new double[LOOPBACK_RUNS];
        long bytes = (long) loopbackMb * MB;
        for (int i = 0; i < LOOPBACK_RUNS; i++) {
            LoopbackPeer.Result o = onExecutors ? ExecutorLoopback.measure(js, bytes, false) : loopback(bytes, false);
            one[i] = o.gbps;
            sendCpu[i] = o.sendCpuSPerGb;
            recvCpu[i] = o.recvCpuSPerGb;
            both[i] = (onExecutors ? ExecutorLoopback.measure(js, bytes, true) : loopback(bytes, true)).gbps;
        }
        double loopback = median(one);
        double duplex = median(both);
        // the stream's per-byte CPU at each end, medians; the bound is that of the median stream
        LoopbackPeer.Result cost = new LoopbackPeer.Result(loopback, median(sendCpu), median(recvCpu));
        json.put("loopback_between", onExecutors ? "the 2 executors" : "this JVM and a child JVM");
        double busbw64;
        double allgather16;
        double ring16;
        double bf16at64;
        double hopMicros;
        try {
            JavaSparkContext jsc = JavaSparkContext.fromSparkContext(spark.sparkContext());
            System.out.printf(Locale.ROOT, "bench allreduce on %s, %d ranks; GB/s = 10^9 bytes/s; each time is the median of "
                    + "%d all-reduces (slowest rank), after one warm-up%n%n", master, replicas, reps);
            System.out.printf(Locale.ROOT, "%-40s %10s %12s %12s%n", "what", "ms", "algbw GB/s", "busbw GB/s");
            System.out.printf(Locale.ROOT, "%-40s %10s %12.3f %12s%n", "loopback TCP, " + (onExecutors ? "2 executors, " : "2 JVMs, ") + loopbackMb + " MB", "-",
                    loopback, "-");
            System.out.printf(Locale.ROOT, "%-40s %10s %12.3f %12s%n", "  both ways at once, per direction", "-",
                    duplex, "-");
            System.out.printf(Locale.ROOT, "  one way, CPU per GB: sender %.3f s, receiver %.3f s; with one core per rank for both directions "
                    + "a 2-rank ring reaches at most %.2f of the stream%n", cost.sendCpuSPerGb, cost.recvCpuSPerGb, cost.oneCoreRingBound());
            // untimed: the ring's code is compiled before the first row (else the 1 MB row timed the JIT)
            AllReduceStage.run(jsc, replicas, "ring", CollectiveConfig.DEFAULT, 64 * MB / 4, 3, 7, false);
            double[] ring = new double[3];
            int[] sizes = {1, 16, 64};
            for (int i = 0; i < sizes.length; i++) {
                ring[i] = row("ring " + sizes[i] + " MB", jsc, "ring", CollectiveConfig.DEFAULT, sizes[i] * MB / 4).busbw;
            }
            ring16 = ring[1];
            busbw64 = ring[2];
            // busbw of the float32 gradient it reduces, so the two rows compare directly
            bf16at64 = row("ring 64 MB, bf16 on the wire", jsc, "ring",
                    CollectiveConfig.DEFAULT.withCompression(Compression.BF16), 64 * MB / 4).busbw;
            allgather16 = row("allGather transport 16 MB", jsc, "allgather", CollectiveConfig.DEFAULT, 16 * MB / 4).busbw;
            // One float: the 2(N-1) ring steps are then all latency (the alpha of the scaling model).
            hopMicros = row("ring 4 B (latency)", jsc, "ring", CollectiveConfig.DEFAULT, 1).seconds * 1e6 / (2.0 * (replicas - 1));
        } finally {
            spark.stop();
        }
        json.put("master", master);
        json.put("ranks", replicas);
        json.put("ring_busbw_gbps_64mb", round(busbw64));
        json.put("loopback_gbps", round(loopback));
        json.put("ratio_ring_to_loopback", round(busbw64 / loopback));
        json.put("loopback_duplex_gbps", round(duplex));
        json.put("ratio_ring_to_loopback_duplex", round(busbw64 / duplex));
        json.put("loopback_send_cpu_s_per_gb", round(cost.sendCpuSPerGb));
        json.put("loopback_recv_cpu_s_per_gb", round(cost.recvCpuSPerGb));
        json.put("ratio_bound_one_core_ranks", round(cost.oneCoreRingBound()));
        json.put("ratio_ring_to_bound", round(busbw64 / loopback / cost.oneCoreRingBound()));
        json.put("speedup_ring_vs_allgather_16mb", round(ring16 / allgather16));
        json.put("ring_bf16_busbw_gbps_64mb", round(bf16at64));
        json.put("ring_hop_latency_us", round(hopMicros));
        json.put("speedup_bf16_vs_float32_64mb", round(bf16at64 / busbw64));
        return master;
    }

    /** One row of the table: the median time of the slowest rank and its bus bandwidth in GB/s. */
    private record Row(double seconds, double busbw) {
    }

    /** Times one size on one transport; prints the row. */
    private Row row(String what, JavaSparkContext jsc, String transport, CollectiveConfig config, int floats) {
        List<AllReduceStage.RankResult> res = AllReduceStage.run(jsc, replicas, transport, config, floats, reps + 1, 7, false);
        double[] slowest = new double[reps];
        for (int k = 0; k < reps; k++) {
            for (AllReduceStage.RankResult r : res) {
                slowest[k] = Math.max(slowest[k], r.nanos[k + 1] / 1e9);   // rep 0 is the warm-up
            }
        }
        Arrays.sort(slowest);
        double t = slowest[reps / 2];
        double alg = (double) floats * 4 / t / 1e9;
        double bus = alg * 2 * (replicas - 1) / replicas;
        System.out.printf(Locale.ROOT, "%-40s %10.3f %12.3f %12.3f%n", what, t * 1e3, alg, bus);
        return new Row(t, bus);
    }

    /**
     * One TCP stream from this JVM to a {@link LoopbackPeer} in another, bytes / time; with
     * {@code duplex} a second stream comes back at the same time and the result is what each
     * direction carried per second (the pattern of a 2-rank ring).
     */
    private static LoopbackPeer.Result loopback(long bytes, boolean duplex) throws IOException, InterruptedException {
        CompletableFuture<Integer> port = new CompletableFuture<>();
        List<String> peerArgs = duplex ? List.of("duplex", String.valueOf(bytes)) : List.of();
        CompletableFuture<ChildJvm.Outcome> child = CompletableFuture.supplyAsync(() -> {
            try {
                return ChildJvm.run(LoopbackPeer.class, List.of("-Xmx256m"), Map.of(), peerArgs, 300, line -> {
                    if (line.startsWith("port ")) {
                        port.complete(Integer.parseInt(line.substring(5).trim()));
                    }
                });
            } catch (IOException | InterruptedException e) {
                port.completeExceptionally(e);
                throw new IllegalStateException(e);
            }
        });
        // a child that ends without printing its port (it failed to start) must not leave us waiting
        child.whenComplete((outcome, error) -> port.completeExceptionally(error != null ? error
                : new IOException("LoopbackPeer ended (exit " + outcome.exitCode() + ") before it printed its port: "
                        + outcome.output().strip())));
        try (Socket s = LoopbackPeer.connect(new InetSocketAddress(InetAddress.getLoopbackAddress(), port.get()))) {
            return LoopbackPeer.stream(s, bytes, duplex);
        } catch (java.util.concurrent.ExecutionException e) {
            throw new IOException("loopback peer did not start: " + e.getCause(), e.getCause());
        } finally {
            child.join();
        }
    }

    /** {@code spark.*} settings of this bench's sessions: the barrier timeout, the --master if given, and {@code more}. */
    private Map<String, String> sparkConf(Map<String, String> more) {
        Map<String, String> conf = new LinkedHashMap<>(more);
        conf.put("spark.barrier.sync.timeout", "600s");
        if (master != null) {
            conf.put("spark.master", master);
        }
        return conf;
    }

    /**
     * Training samples/s of 1 and of 2 replicas on the same generated shards. Local master: each
     * run in a child JVM limited to as many cores as replicas and one native (OpenMP) thread per
     * process. Cluster: each run on the cluster, one replica per executor.
     */
    private ScalingProbe.Result[] scaling(boolean local) throws IOException, InterruptedException {
        Path dir = Files.createTempDirectory("bragg-bench-scaling");
        try {
            String shards = shards(dir);
            ScalingProbe.Result[] rates = new ScalingProbe.Result[2];
            for (int n = 1; n <= 2; n++) {
                int batch = 16;
                List<String> args = new ArrayList<>(List.of(
                        // 1 replica trains on half the scan: every replica then makes the same steps on the same work.
                        "bragg.data.shards=" + shards, "bragg.data.holdout=" + (n == 1 ? "0.5" : "0"), "bragg.output.dir=" + dir.resolve("run" + n),
                        "bragg.model.patch=8", "bragg.model.dim=64", "bragg.model.heads=4", "bragg.model.blocks=2",
                        "bragg.train.batch-size=" + batch, "bragg.train.epochs=1", "bragg.train.checkpoint-every=100000",
                        "bragg.train.hash-check-every=0", "bragg.kernels.device=java", "spark.ui.enabled=false"));
                args.add("bragg.train.max-attempts=1");
                args.addAll(train);   // last: they win over the settings above
                rates[n - 1] = local ? probeInChildJvm(n, args) : probeOnCluster(n, args);
            }
            return rates;
        } finally {
            deleteTree(dir);
        }
    }

    private static ScalingProbe.Result probeInChildJvm(int n, List<String> overrides) throws IOException, InterruptedException {
        List<String> args = new ArrayList<>(List.of(String.valueOf(n)));
        args.addAll(overrides);
        ChildJvm.Outcome o = ChildJvm.run(ScalingProbe.class, List.of("-XX:ActiveProcessorCount=" + n, "-Xmx3g"),
                Map.of("OMP_NUM_THREADS", "1"), args, 900, line -> { });
        String result = o.lastLineStartingWith(ScalingProbe.RESULT_PREFIX);
        if (o.exitCode() != 0 || result == null) {
            String out = o.output().strip();
            throw new IOException("scaling probe with " + n + " replica(s) failed (exit " + o.exitCode() + "): "
                    + out.substring(Math.max(0, out.length() - 2000)));
        }
        return ScalingProbe.Result.parse(result);
    }

    private ScalingProbe.Result probeOnCluster(int n, List<String> overrides) throws IOException {
        List<String> all = new ArrayList<>(overrides);
        all.add("bragg.train.replicas=" + n);
        if (master != null) {
            all.add("spark.master=" + master);
        }
        return ScalingProbe.measure(BraggConfig.load(null, all));
    }

    /** A generated 4D-STEM scan preprocessed to 32x32 patterns: 2 x batch x steps samples. */
    private String shards(Path dir) throws IOException {
        int side = (int) Math.ceil(Math.sqrt(2.0 * 16 * scalingSteps));
        new StemGenerator(StemSpec.of(side, side, 64, 3)).write(dir.resolve("scan"), 2);
        String out = dir.resolve("shards").toString();
        SparkSession spark = SparkSessions.getOrCreate("bragg bench scaling data", sparkConf(Map.of()));
        try {
            PreprocessJob.run(spark, PreprocessOptions.defaults(dir.resolve("scan/scan.npy").toString(), out)
                    .withLabels(dir.resolve("scan/labels.npy").toString()).withBin(2).withScale("log"));
        } finally {
            spark.stop();
        }
        return out;
    }

    private static void deleteTree(Path dir) throws IOException {
        try (var s = Files.walk(dir)) {
            for (Path p : s.sorted(java.util.Comparator.reverseOrder()).toList()) {
                Files.deleteIfExists(p);
            }
        }
    }

    private static double median(double[] v) {
        double[] s = v.clone();
        Arrays.sort(s);
        return s[s.length / 2];
    }

    private static double round(double v) {
        return Math.round(v * 1000) / 1000.0;
    }
}
