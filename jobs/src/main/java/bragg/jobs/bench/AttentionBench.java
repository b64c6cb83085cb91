package bragg.jobs.bench;

import bragg.jobs.BuildInfo;
import bragg.kernels.AttentionKernel;
import bragg.kernels.AttentionKernels;
import bragg.kernels.AttentionShape;
import com.aparapi.device.Device;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.SplittableRandom;
import java.util.concurrent.TimeUnit;

/**
 * {@code bragg bench attention}: the flash kernels against the machine's practical limit (ND4J
 * sgemm) and against materialized attention in ND4J. Prints a table, then one JSON line.
 *
 * <p>FLOP convention (FlashAttention's): forward 4*B*H*Lq*Lk*Dh, backward 2.5 times that; masks
 * ignored. Every time is the median of {@code --reps} runs after {@code --warmup} runs.
 *
 * <p>max_L: the largest L in {4096, ..., 65536} (B=1, H=1, Dh=64) whose forward + backward
 * completes within a 4 GiB budget on the whole process's resident memory (heap, ND4J off-heap,
 * everything: {@link ResidentBudget} halts a probe that goes over). Each probe is a child JVM:
 * materialized ({@link MaterializedProbe}) ascending until the first failure, flash
 * ({@link FlashProbe}, on the best backend) descending until the first success (memory grows
 * with L, so a success bounds every smaller L).
 */
@Command(name = "attention", mixinStandardHelpOptions = true,
        description = "Flash attention kernels vs ND4J sgemm and vs materialized attention; table, then a JSON line.")
public final class AttentionBench implements Runnable {
    static final long BUDGET_BYTES = 4L << 30;
    static final int[] MAX_L_CANDIDATES = {4096, 8192, 16384, 32768, 65536};

    @Option(names = "--reps", description = "timed repetitions per measurement, median reported (default ${DEFAULT-VALUE})")
    int reps = 5;

    @Option(names = "--warmup", description = "untimed runs before each measurement (default ${DEFAULT-VALUE})")
    int warmup = 2;

    @Option(names = "--long-reps", description = "timed repetitions at L=2048 (default ${DEFAULT-VALUE})")
    int longReps = 3;

    @Option(names = "--skip-max-l", description = "skip the child-JVM max_L measurements (reported as -1)")
    boolean skipMaxL;

    @Override
    public void run() {
        if (reps < 1 || warmup < 0 || longReps < 1) {
            throw new IllegalArgumentException("--reps and --long-reps must be >= 1 and --warmup >= 0; found reps="
                    + reps + ", long-reps=" + longReps + ", warmup=" + warmup);
        }
        System.out.println("bench attention: FLOP convention forward = 4*B*H*Lq*Lk*Dh, backward = 2.5 x forward"
                + " (FlashAttention's); times are medians of " + reps + " runs after " + warmup + " warm-up runs");
        System.out.println("OpenCL devices: " + AttentionKernels.listOpenClDevices());
        String loadStart = loadAverage();
        System.out.println("load average (1, 5, 15 min) at start: " + loadStart
                + " (other work on this machine slows every row alike; the ratios are side by side)");

        // 1. the practical limit: ND4J sgemm, n = 2048
        double sgemm = sgemmGflops(2048);
        System.out.printf(Locale.ROOT, "%n" + ROW_TEXT, "what", "fwd ms", "bwd ms", "fwd+bwd GF/s", "/sgemm");
        System.out.printf(Locale.ROOT, "%-" + WHAT + "s %10s %10s %12.1f %8.3f%n", "ND4J sgemm n=2048 (2n^3 flops)",
                "-", "-", sgemm, 1.0);

        // 2. every backend at B=1, H=8, L=1024, Dh=64
        AttentionShape main = AttentionShape.self(1, 8, 1024, 64);
        String best = null;
        double bestGflops = -1;
        for (String name : backends()) {
            try (AttentionKernel kernel = AttentionKernels.open(name)) {
                double[] t = timeFlash(kernel, main, reps);
                double gflops = (main.forwardFlops() + main.backwardFlops()) / (t[0] + t[1]) / 1e9;
                row("flash L=1024 H=8 " + kernel.backend(), t, gflops, sgemm);
                if (gflops > bestGflops) {
                    bestGflops = gflops;
                    best = name;
                }
            }
        }

        // 3. flash (best backend) vs materialized ND4J at L=2048, B=1, H=8, Dh=64
        AttentionShape longShape = AttentionShape.self(1, 8, 2048, 64);
        double flashLong;
        String bestBackend;
        try (AttentionKernel kernel = AttentionKernels.open(best)) {
            bestBackend = kernel.backend();
            double[] t = timeFlash(kernel, longShape, longReps);
            flashLong = t[0] + t[1];
            row("flash L=2048 H=8 " + kernel.backend(), t,
                    (longShape.forwardFlops() + longShape.backwardFlops()) / flashLong / 1e9, sgemm);
        }
        double[] m = timeMaterialized(longShape, longReps);
        double materializedLong = m[0] + m[1];
        row("materialized ND4J L=2048 H=8 (gemm, softmax, gemm + backward)", m,
                (longShape.forwardFlops() + longShape.backwardFlops()) / materializedLong / 1e9, sgemm);
        double speedup = materializedLong / flashLong;

        // 4. longest L within the 4 GiB budget, each in a child JVM
        System.out.println();
        int maxMaterialized = -1;
        int maxFlash = -1;
        if (!skipMaxL) {
            for (int l : MAX_L_CANDIDATES) { // ascending: the first failure ends it
                if (!probe("materialized", MaterializedProbe.class, l)) {
                    break;
                }
                maxMaterialized = l;
            }
            for (int i = MAX_L_CANDIDATES.length - 1; i >= 0 && maxFlash < 0; i--) { // descending
                if (probe("flash " + best, FlashProbe.class, MAX_L_CANDIDATES[i], best)) {
                    maxFlash = MAX_L_CANDIDATES[i];
                }
            }
        }
        System.out.printf(Locale.ROOT, "max L within %d MiB resident (B=1, H=1, Dh=64): flash %s, materialized %s%n",
                BUDGET_BYTES >> 20, skipMaxL ? "skipped" : String.valueOf(maxFlash),
                skipMaxL ? "skipped" : String.valueOf(maxMaterialized));

        String loadEnd = loadAverage();
        System.out.println("load average (1, 5, 15 min) at end: " + loadEnd);
        double ratio = bestGflops / sgemm;
        System.out.printf(Locale.ROOT, "{\"sgemm_gflops\": %.2f, \"flash_fwd_bwd_gflops\": %.2f, "
                        + "\"ratio_flash_to_sgemm\": %.3f, \"speedup_vs_materialized_L2048\": %.3f, "
                        + "\"max_L_flash\": %d, \"max_L_materialized\": %d, \"backend\": \"%s\", "
                        + "\"flop_convention\": \"fwd 4*B*H*Lq*Lk*Dh, bwd 2.5x fwd\", "
                        + "\"max_L_method\": \"fwd+bwd completed in a child JVM, resident <= 4 GiB\", "
                        + "\"load_avg_start\": \"%s\", \"load_avg_end\": \"%s\"}%n",
                sgemm, bestGflops, ratio, speedup, maxFlash, maxMaterialized, json(bestBackend), loadStart, loadEnd);
    }

    private static final int WHAT = 78;
    private static final String ROW_TEXT = "%-" + WHAT + "s %10s %10s %12s %8s%n";

    private static void row(String what, double[] fwdBwdSeconds, double gflops, double sgemm) {
        System.out.printf(Locale.ROOT, "%-" + WHAT + "s %10.1f %10.1f %12.1f %8.3f%n", trim(what),
                fwdBwdSeconds[0] * 1e3, fwdBwdSeconds[1] * 1e3, gflops, gflops / sgemm);
    }

    /** java, then every OpenCL CPU and GPU device, as AttentionKernels.open names them. */
    private static List<String> backends() {
        List<String> names = new ArrayList<>();
        names.add("java");
        for (int i = 0; i < AttentionKernels.listDevices(Device.TYPE.CPU).size(); i++) {
            names.add("opencl-cpu:" + i);
        }
        for (int i = 0; i < AttentionKernels.listDevices(Device.TYPE.GPU).size(); i++) {
            names.add("opencl-gpu:" + i);
        }
        return names;
    }

    private double sgemmGflops(int n) {
        INDArray a = Nd4j.randn(DataType.FLOAT, n, n);
        INDArray b = Nd4j.randn(DataType.FLOAT, n, n);
        INDArray c = Nd4j.create(DataType.FLOAT, n, n);
        double seconds = median(() -> Nd4j.gemm(a, b, c, false, false, 1.0, 0.0), reps);
        return 2.0 * n * n * (double) n / seconds / 1e9;
    }

    /** Median forward and backward seconds of one kernel on random inputs. */
    private double[] timeFlash(AttentionKernel kernel, AttentionShape s, int n) {
        SplittableRandom r = new SplittableRandom(42);
        float[] q = random(r, s.queryElements()), k = random(r, s.keyElements()), v = random(r, s.keyElements());
        float[] dOut = random(r, s.queryElements());
        float[] out = new float[s.queryElements()], lse = new float[s.rows()];
        float[] dq = new float[s.queryElements()], dk = new float[s.keyElements()], dv = new float[s.keyElements()];
        double fwd = median(() -> kernel.forward(s, q, k, v, out, lse), n);
        double bwd = median(() -> kernel.backward(s, q, k, v, out, lse, dOut, dq, dk, dv), n);
        return new double[] {fwd, bwd};
    }

    /** Median forward and backward seconds of materialized ND4J attention, head by head. */
    private double[] timeMaterialized(AttentionShape s, int n) {
        int heads = s.batch * s.heads;
        INDArray[] q = new INDArray[heads], k = new INDArray[heads], v = new INDArray[heads], dO = new INDArray[heads];
        for (int h = 0; h < heads; h++) {
            q[h] = MaterializedAttention.random(s.queryLength, s.headDim);
            k[h] = MaterializedAttention.random(s.keyLength, s.headDim);
            v[h] = MaterializedAttention.random(s.keyLength, s.headDim);
            dO[h] = MaterializedAttention.random(s.queryLength, s.headDim);
        }
        INDArray[][] fwdOut = new INDArray[heads][];
        double fwd = median(() -> {
            for (int h = 0; h < heads; h++) {
                fwdOut[h] = MaterializedAttention.forward(q[h], k[h], v[h], s.scale);
            }
        }, n);
        double bwd = median(() -> {
            for (int h = 0; h < heads; h++) {
                MaterializedAttention.backward(q[h], k[h], v[h], fwdOut[h][0], fwdOut[h][1], dO[h], s.scale);
            }
        }, n);
        return new double[] {fwd, bwd};
    }

    private double median(Runnable body, int n) {
        for (int i = 0; i < warmup; i++) {
            body.run();
        }
        double[] t = new double[n];
        for (int i = 0; i < n; i++) {
            long t0 = System.nanoTime();
            body.run();
            t[i] = (System.nanoTime() - t0) / 1e9;
        }
        Arrays.sort(t);
        return n % 2 == 1 ? t[n / 2] : (t[n / 2 - 1] + t[n / 2]) / 2;
    }

    /**
     * Runs {@code main} of {@code probe} in a child JVM with bragg's JVM flags and {@code L},
     * the budget and {@code extra} as arguments; true when it completed (exit 0).
     */
    private static boolean probe(String what, Class<?> probe, int length, String... extra) {
        String java = ProcessHandle.current().info().command().orElse("java");
        List<String> cmd = new ArrayList<>();
        cmd.add(java);
        cmd.addAll(BuildInfo.jvmFlags());
        cmd.add("-Xmx3g"); // the heap cannot take the whole budget; the resident-set watchdog is the limit
        cmd.addAll(List.of("-cp", System.getProperty("java.class.path"), probe.getName(), String.valueOf(length),
                String.valueOf(BUDGET_BYTES)));
        cmd.addAll(Arrays.asList(extra));
        String outcome;
        boolean ok;
        try {
            Process p = new ProcessBuilder(cmd).redirectErrorStream(true)
                    .redirectOutput(ProcessBuilder.Redirect.PIPE).start();
            StringBuilder text = new StringBuilder();
            try (BufferedReader br = new BufferedReader(new InputStreamReader(p.getInputStream(),
                    StandardCharsets.UTF_8))) {
                String line;
                while ((line = br.readLine()) != null) {
                    text.append(line).append('\n');
                }
            }
            boolean done = p.waitFor(600, TimeUnit.SECONDS);
            ok = done && p.exitValue() == 0;
            outcome = ok ? lastLine(text.toString()) : "failed (exit " + (done ? p.exitValue() : "timeout") + "): "
                    + firstCause(text.toString());
        } catch (Exception e) {
            ok = false;
            outcome = "could not start the child JVM: " + e;
        }
        System.out.printf(Locale.ROOT, "  %s L=%d in a child JVM: %s%n", what, length, outcome);
        return ok;
    }

    /** The first three fields of /proc/loadavg, or "unknown" off Linux. */
    private static String loadAverage() {
        try {
            String[] f = java.nio.file.Files.readString(java.nio.file.Path.of("/proc/loadavg")).trim().split("\\s+");
            return f[0] + " " + f[1] + " " + f[2];
        } catch (java.io.IOException | RuntimeException e) {
            return "unknown";
        }
    }

    private static String lastLine(String text) {
        String[] lines = text.trim().split("\n");
        return lines[lines.length - 1];
    }

    /** The first line naming an error (OutOfMemoryError, "Cannot allocate", ...) of a child's output. */
    private static String firstCause(String text) {
        for (String line : text.split("\n")) {
            String l = line.toLowerCase(Locale.ROOT);
            if (l.contains("outofmemory") || l.contains("cannot allocate") || l.contains("exception")
                    || l.contains("error") || l.startsWith("failed")) {
                return line.trim().length() > 200 ? line.trim().substring(0, 200) : line.trim();
            }
        }
        return lastLine(text);
    }

    static float[] random(SplittableRandom r, int n) {
        float[] a = new float[n];
        for (int i = 0; i < n; i++) {
            a[i] = (float) (r.nextDouble() * 2 - 1);
        }
        return a;
    }

    private static String trim(String s) {
        return s.length() > WHAT ? s.substring(0, WHAT) : s;
    }

    private static String json(String s) {
        return s.replace("\\", "\\\\").replace("\"", "\\\"");
    }

}
