package bragg.jobs.data;

import bragg.driver.generate.StemGenerator;
import bragg.driver.generate.StemSpec;
import bragg.driver.preprocess.PreprocessJob;
import bragg.driver.preprocess.PreprocessOptions;
import bragg.driver.spark.SparkSessions;
import com.sun.management.GarbageCollectionNotificationInfo;
import java.io.IOException;
import java.lang.management.GarbageCollectorMXBean;
import java.lang.management.ManagementFactory;
import java.lang.management.MemoryPoolMXBean;
import java.lang.management.MemoryType;
import java.lang.management.MemoryUsage;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.concurrent.atomic.AtomicLong;
import java.util.stream.Stream;
import javax.management.NotificationEmitter;
import javax.management.NotificationListener;
import javax.management.openmbean.CompositeData;
import org.apache.spark.sql.SparkSession;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * {@code bragg bench preprocess}: preprocess throughput against a raw sequential read of the
 * same file in the same run, and the driver's heap for a small and a large input.
 * <ul>
 * <li>Throughput: a generated uint16 4D-STEM .npy of {@code --gb} GB (256x256 detector), or
 *     {@code --input}; the preprocess job is bin 4, log, global normalisation, float32, no
 *     checksums. The file is read once untimed (page cache warm). The first job is timed and
 *     printed as the cold run (it pays for loading and JIT-compiling Spark's scheduler and
 *     Parquet's writer, a fixed cost of a few CPU-seconds per JVM); {@code --warmup} more jobs
 *     run untimed; then {@code --rounds} rounds, each a timed raw read followed by a timed job.
 *     raw_read_gbps and preprocess_gbps are the medians over the rounds, ratio is their quotient:
 *     the steady state a user's scan of hundreds of GB runs in, where the fixed cost is spread
 *     over the whole job. The cold run stays in the output (cold_preprocess_gbps, cold_ratio).</li>
 * <li>Driver heap: preprocess of a 1 GB and an 8 GB input. Spark runs in local mode, so its tasks
 *     share the driver JVM: what is measured is the whole JVM's heap. Two numbers per run, after a
 *     System.gc() and a reset of every heap pool's peak: the live-heap peak (largest heap in use
 *     right after any GC during the run, from GC notifications: what the JVM retained) reported as
 *     driver_heap_peak_mb, and the sum of the pools' raw peaks (includes garbage not yet
 *     collected, so it follows the collector's sizing more than the job).</li>
 * </ul>
 * Every generated file and shard folder is deleted at the end.
 */
@Command(name = "preprocess", mixinStandardHelpOptions = true,
        description = "Preprocess throughput vs raw sequential read, and driver heap for 1 GB and 8 GB inputs; table, then JSON.")
public final class PreprocessBench implements Callable<Integer> {
    @Option(names = "--dir", defaultValue = "/tmp", description = "local folder for the generated files (default ${DEFAULT-VALUE})")
    Path dir;
    @Option(names = "--gb", defaultValue = "2", description = "size of the throughput input in GiB, >= 2 (default ${DEFAULT-VALUE})")
    int gb;
    @Option(names = "--heap-gb", split = ",", defaultValue = "1,8", description = "input sizes in GiB for the heap measurement (default ${DEFAULT-VALUE})")
    List<Integer> heapGb;
    @Option(names = "--input", description = "time this existing uint16 4D-STEM .npy instead of generating --gb (kept afterwards)")
    Path input;
    @Option(names = "--no-heap", description = "skip the driver-heap measurement")
    boolean noHeap;
    // 2 untimed jobs left the JIT still compiling Spark's classes in the rounds (CPU per job fell
    // from 4.7 to 3.1 s over 5 rounds); see BENCHMARKS.md
    @Option(names = "--warmup", defaultValue = "6", description = "untimed jobs after the cold one (default ${DEFAULT-VALUE})")
    int warmup;
    @Option(names = "--rounds", defaultValue = "5", description = "timed rounds of raw read + job; medians are reported (default ${DEFAULT-VALUE})")
    int rounds;

    static final int DETECTOR = 256;

    @Override
    public Integer call() throws Exception {
        if (gb < 1) throw new IllegalArgumentException("--gb must be >= 1, got " + gb);
        if (rounds < 1 || warmup < 0) throw new IllegalArgumentException("--rounds must be >= 1 and --warmup >= 0, got " + rounds + " and " + warmup);
        Path work = Files.createTempDirectory(dir, "bragg-bench-preprocess-");
        SparkSession spark = SparkSessions.getOrCreate("bragg bench preprocess", Map.of());
        try {
            System.out.println("bench preprocess: generated 4D-STEM uint16 .npy, detector " + DETECTOR + "x" + DETECTOR + ", Spark "
                    + spark.sparkContext().master() + ", files under " + work);
            System.out.println("transform: bin 4 (-> 64x64), log1p, global normalisation, float32 shards, checksums off");
            Path in = input != null ? input : generate(work.resolve("throughput"), gb);
            long bytes = Files.size(in);
            readAll(in);   // warms the page cache; not reported
            Timed cold = preprocess(spark, in, work.resolve("throughput-shards"));
            for (int i = 0; i < warmup; i++) preprocess(spark, in, work.resolve("throughput-shards"));
            List<Timed> raw = new ArrayList<>();
            List<Timed> job = new ArrayList<>();
            System.out.printf(Locale.ROOT, "%-38s %10s %10s %10s %12s%n", "measure", "GB", "seconds", "GB/s", "CPU seconds");
            print("preprocess job, cold (first in JVM)", bytes, cold);
            for (int r = 0; r < rounds; r++) {
                raw.add(timedRead(in));
                job.add(preprocess(spark, in, work.resolve("throughput-shards")));
                print("round " + (r + 1) + ": raw sequential read", bytes, raw.get(r));
                print("round " + (r + 1) + ": preprocess job", bytes, job.get(r));
            }
            double loadTimed = load();      // other work on the machine shares the cores: say how much
            Timed rawMed = Timed.median(raw);
            Timed jobMed = Timed.median(job);
            double rawGbps = bytes / rawMed.seconds / 1e9;
            double preGbps = bytes / jobMed.seconds / 1e9;
            double coldGbps = bytes / cold.seconds / 1e9;
            print("median: raw sequential read", bytes, rawMed);
            print("median: preprocess job", bytes, jobMed);
            System.out.printf(Locale.ROOT, "(page cache warm for every timed run; %d untimed jobs between the cold run and the rounds)%n", warmup);
            deleteTree(work.resolve("throughput"));

            List<String> heapJson = new ArrayList<>();
            System.out.printf(Locale.ROOT, "%-12s %10s %22s %22s %10s%n", "input GiB", "seconds", "live heap peak MB", "pool peak sum MB", "GB/s");
            for (int g : noHeap ? List.<Integer>of() : heapGb) {
                Path f = generate(work.resolve("heap-" + g), g);
                HeapProbe probe = new HeapProbe();
                double s = preprocess(spark, f, work.resolve("heap-" + g + "-shards")).seconds;
                long[] peak = probe.stop();
                System.out.printf(Locale.ROOT, "%-12d %10.1f %22.1f %22.1f %10.3f%n", g, s, peak[0] / 1048576.0, peak[1] / 1048576.0, Files.size(f) / s / 1e9);
                heapJson.add(String.format(Locale.ROOT, "\"%dgb\":%.1f", g, peak[0] / 1048576.0));
                deleteTree(work.resolve("heap-" + g));
                deleteTree(work.resolve("heap-" + g + "-shards"));
            }
            double loadEnd = load();
            System.out.printf(Locale.ROOT, "load average (1 min) over %d cores: %.2f at the timed runs, %.2f at the end%n",
                    Runtime.getRuntime().availableProcessors(), loadTimed, loadEnd);
            System.out.printf(Locale.ROOT, "{\"raw_read_gbps\":%.3f,\"preprocess_gbps\":%.3f,\"ratio\":%.3f,\"cold_preprocess_gbps\":%.3f,\"cold_ratio\":%.3f,"
                            + "\"driver_heap_peak_mb\":{%s},\"input_gb\":%.2f,\"raw_read_cpu_s\":%.2f,\"preprocess_cpu_s\":%.2f,\"cold_preprocess_cpu_s\":%.2f,"
                            + "\"rounds\":%d,\"warmup\":%d,\"load_avg_1m\":%.2f,\"cores\":%d}%n",
                    rawGbps, preGbps, preGbps / rawGbps, coldGbps, coldGbps / rawGbps, String.join(",", heapJson), bytes / 1e9, rawMed.cpu, jobMed.cpu,
                    cold.cpu, rounds, warmup, loadTimed, Runtime.getRuntime().availableProcessors());
        } finally {
            spark.stop();
            deleteTree(work);
        }
        return 0;
    }

    /** A scan of about gib GiB: 256 x n positions of 128 KiB patterns. */
    private static Path generate(Path out, int gib) throws IOException {
        long patterns = (gib * (1L << 30)) / (DETECTOR * DETECTOR * 2L);
        int sx = 256;
        int sy = (int) Math.max(1, patterns / sx);
        long t0 = System.nanoTime();
        new StemGenerator(StemSpec.of(sy, sx, DETECTOR, 7)).write(out, Runtime.getRuntime().availableProcessors());
        System.out.printf(Locale.ROOT, "generated %s [%d, %d, %d, %d] in %.1f s%n", out.resolve("scan.npy"), sy, sx, DETECTOR, DETECTOR, (System.nanoTime() - t0) / 1e9);
        return out.resolve("scan.npy");
    }

    /** One job into out (deleted afterwards, untimed): wall and whole-JVM CPU seconds. */
    private static Timed preprocess(SparkSession spark, Path in, Path out) throws IOException {
        PreprocessOptions opt = PreprocessOptions.defaults(in.toString(), out.toString()).withBin(4).withScale("log").withChecksums(false);
        long c0 = cpuNanos();
        long t0 = System.nanoTime();
        PreprocessJob.run(spark, opt);
        Timed t = new Timed((System.nanoTime() - t0) / 1e9, (cpuNanos() - c0) / 1e9);
        deleteTree(out);
        return t;
    }

    private static Timed timedRead(Path in) throws IOException {
        long c0 = cpuNanos();
        double s = readAll(in);
        return new Timed(s, (cpuNanos() - c0) / 1e9);
    }

    private static void print(String what, long bytes, Timed t) {
        System.out.printf(Locale.ROOT, "%-38s %10.2f %10.2f %10.3f %12.2f%n", what, bytes / 1e9, t.seconds, bytes / t.seconds / 1e9, t.cpu);
    }

    /** Wall-clock and whole-JVM CPU seconds of one timed run. */
    record Timed(double seconds, double cpu) {
        /** Median wall time and median CPU time (each on its own). */
        static Timed median(List<Timed> ts) {
            return new Timed(median(ts.stream().mapToDouble(Timed::seconds).sorted().toArray()),
                    median(ts.stream().mapToDouble(Timed::cpu).sorted().toArray()));
        }

        private static double median(double[] sorted) {
            int n = sorted.length;
            return n % 2 == 1 ? sorted[n / 2] : (sorted[n / 2 - 1] + sorted[n / 2]) / 2;
        }
    }

    /**
     * CPU time of this whole JVM so far (every thread: Spark's tasks run in it in local mode), which
     * other work on shared cores does not inflate the way it inflates wall time.
     */
    private static long cpuNanos() {
        return ((com.sun.management.OperatingSystemMXBean) ManagementFactory.getOperatingSystemMXBean()).getProcessCpuTime();
    }

    /** The system's 1-minute load average (what uptime prints first). */
    private static double load() {
        return ManagementFactory.getOperatingSystemMXBean().getSystemLoadAverage();
    }

    /** Sequential read of the whole file through a 16 MB buffer; seconds. */
    static double readAll(Path f) throws IOException {
        ByteBuffer b = ByteBuffer.allocateDirect(16 << 20);
        long t0 = System.nanoTime();
        long sum = 0;
        try (FileChannel ch = FileChannel.open(f, StandardOpenOption.READ)) {
            while (true) {
                b.clear();
                int n = ch.read(b);
                if (n < 0) break;
                sum += b.get(0);   // touch the data so the read cannot be skipped
            }
        }
        double s = (System.nanoTime() - t0) / 1e9;
        if (sum == Long.MIN_VALUE) System.out.print("");
        return s;
    }

    private static void deleteTree(Path p) throws IOException {
        if (!Files.exists(p)) return;
        try (Stream<Path> s = Files.walk(p)) {
            for (Path x : s.sorted(Comparator.reverseOrder()).toList()) Files.deleteIfExists(x);
        }
    }

    /** Heap peaks of this JVM from now until stop(): {live peak after GCs, sum of pool peaks}. */
    static final class HeapProbe {
        private final AtomicLong livePeak = new AtomicLong();
        private final List<NotificationEmitter> emitters = new ArrayList<>();
        private final NotificationListener listener = (n, h) -> {
            if (!n.getType().equals(GarbageCollectionNotificationInfo.GARBAGE_COLLECTION_NOTIFICATION)) return;
            GarbageCollectionNotificationInfo info = GarbageCollectionNotificationInfo.from((CompositeData) n.getUserData());
            long used = 0;
            for (Map.Entry<String, MemoryUsage> e : info.getGcInfo().getMemoryUsageAfterGc().entrySet()) {
                if (isHeap(e.getKey())) used += e.getValue().getUsed();
            }
            livePeak.accumulateAndGet(used, Math::max);
        };

        HeapProbe() {
            System.gc();
            for (MemoryPoolMXBean p : ManagementFactory.getMemoryPoolMXBeans()) if (p.getType() == MemoryType.HEAP) p.resetPeakUsage();
            livePeak.set(ManagementFactory.getMemoryMXBean().getHeapMemoryUsage().getUsed());
            for (GarbageCollectorMXBean gc : ManagementFactory.getGarbageCollectorMXBeans()) {
                if (gc instanceof NotificationEmitter e) {
                    e.addNotificationListener(listener, null, null);
                    emitters.add(e);
                }
            }
        }

        private static boolean isHeap(String pool) {
            for (MemoryPoolMXBean p : ManagementFactory.getMemoryPoolMXBeans()) if (p.getName().equals(pool)) return p.getType() == MemoryType.HEAP;
            return false;
        }

        long[] stop() throws Exception {
            for (NotificationEmitter e : emitters) e.removeNotificationListener(listener);
            long sum = 0;
            for (MemoryPoolMXBean p : ManagementFactory.getMemoryPoolMXBeans()) if (p.getType() == MemoryType.HEAP) sum += p.getPeakUsage().getUsed();
            return new long[]{livePeak.get(), sum};
        }
    }
}
