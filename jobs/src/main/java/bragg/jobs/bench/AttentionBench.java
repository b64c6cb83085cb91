package bragg.jobs.bench;

import bragg.kernels.AttentionKernel;
import bragg.kernels.AttentionKernels;
import bragg.kernels.AttentionShape;
import com.aparapi.device.Device;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

import java.io.IOException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Locale;
import java.util.SplittableRandom;

/**
 * {@code bragg bench attention}: the flash kernels against the machine's practical limit (ND4J
 * sgemm) and against materialized attention in ND4J. Prints a table, then one JSON line.
 *
 * <p>FLOP convention (FlashAttention's): forward 4*B*H*Lq*Lk*Dh, backward 2.5 times that; masks
 * ignored. Every time is the median of {@code --reps} rounds after {@code --warmup} rounds; a
 * round runs each side of a comparison once, in turn (sgemm, flash forward, flash backward; or
 * flash and materialized at L=2048), each run after a short pause ({@link #PAUSE_MS}), so a
 * ratio is measured side by side even while other work loads the machine.
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
    int warmup = 3;

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
                + " (FlashAttention's); times are medians of " + reps + " rounds (" + longReps + " at L=2048) after " + warmup
                + " warm-up rounds; a round runs each measurement of a comparison once, in turn");
        System.out.println("OpenCL devices: " + AttentionKernels.listOpenClDevices());
        String loadStart = loadAverage();
        System.out.println("load average (1, 5, 15 min) at start: " + loadStart
                + " (other work on this machine slows every row alike; the ratios are side by side)");

        // 1. the practical limit, ND4J sgemm at n = 2048, timed in rounds with each flash
        //    measurement (one sgemm, one forward, one backward per round), so that the load of
        //    the moment weighs on both sides of every ratio alike
        INDArray ga = Nd4j.randn(DataType.FLOAT, 2048, 2048), gb = Nd4j.randn(DataType.FLOAT, 2048, 2048);
        INDArray gc = Nd4j.create(DataType.FLOAT, 2048, 2048);
        Runnable sgemmRun = () -> Nd4j.gemm(ga, gb, gc, false, false, 1.0, 0.0);
        double sgemmFlops = 2.0 * 2048 * 2048 * 2048.0;
        System.out.printf(Locale.ROOT, "%n" + ROW_TEXT, "what", "fwd ms", "bwd ms", "fwd+bwd GF/s", "sgemm GF/s",
                "/sgemm");

        // 2. every backend at B=1, H=8, L=1024, Dh=64
        AttentionShape main = AttentionShape.self(1, 8, 1024, 64);
        String best = null;
        double bestGflops = -1;
        double sgemm = -1;
        double bestRatio = -1;
        double javaGflops = -1;
        double openClRatio = -1; // the best OpenCL row: its GFLOP/s over the sgemm of its own rounds
        double openClGflops = -1;
        String openClBackend = "none";
        for (String name : backends()) {
            try (AttentionKernel kernel = AttentionKernels.open(name)) {
                Flash f = new Flash(kernel, main);
                double[] t = interleaved(reps, f::forward, f::backward, sgemmRun);
                double gflops = (main.forwardFlops() + main.backwardFlops()) / (t[0] + t[1]) / 1e9;
                double alongside = sgemmFlops / t[2] / 1e9;
                row("flash L=1024 H=8 " + kernel.backend(), t[0], t[1], gflops, alongside);
                if (name.equals("java")) {
                    javaGflops = gflops;
                } else if (gflops / alongside > openClRatio) {
                    openClRatio = gflops / alongside;
                    openClGflops = gflops;
                    openClBackend = kernel.backend();
                }
                if (gflops / alongside > bestRatio) { // best by the ratio: each row's own sgemm rounds
                    bestRatio = gflops / alongside;
                    bestGflops = gflops;
                    sgemm = alongside;
                    best = name;
                }
            }
        }

        // 3. flash (best backend) vs materialized ND4J at L=2048, B=1, H=8, Dh=64, in rounds
        AttentionShape longShape = AttentionShape.self(1, 8, 2048, 64);
        String bestBackend;
        double speedup;
        try (AttentionKernel kernel = AttentionKernels.open(best)) {
            bestBackend = kernel.backend();
            Flash f = new Flash(kernel, longShape);
            Materialized m = new Materialized(longShape);
            double[] t = interleaved(longReps, f::forward, f::backward, m::forward, m::backward);
            double flops = longShape.forwardFlops() + longShape.backwardFlops();
            row("flash L=2048 H=8 " + kernel.backend(), t[0], t[1], flops / (t[0] + t[1]) / 1e9, Double.NaN);
            row("materialized ND4J L=2048 H=8 (gemm, softmax, gemm + backward)", t[2], t[3],
                    flops / (t[2] + t[3]) / 1e9, Double.NaN);
            speedup = (t[2] + t[3]) / (t[0] + t[1]);
        }

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
        double ratio = bestRatio;
        System.out.printf(Locale.ROOT, "{\"sgemm_gflops\": %.2f, \"flash_fwd_bwd_gflops\": %.2f, "
                        + "\"ratio_flash_to_sgemm\": %.3f, \"speedup_vs_materialized_L2048\": %.3f, "
                        + "\"max_L_flash\": %d, \"max_L_materialized\": %d, \"backend\": \"%s\", "
                        + "\"opencl_fwd_bwd_gflops\": %.2f, \"ratio_opencl_to_sgemm\": %.3f, "
                        + "\"ratio_opencl_to_java\": %.3f, \"opencl_backend\": \"%s\", "
                        + "\"flop_convention\": \"fwd 4*B*H*Lq*Lk*Dh, bwd 2.5x fwd\", "
                        + "\"max_L_method\": \"fwd+bwd completed in a child JVM, resident <= 4 GiB\", "
                        + "\"load_avg_start\": \"%s\", \"load_avg_end\": \"%s\"}%n",
                sgemm, bestGflops, ratio, speedup, maxFlash, maxMaterialized, json(bestBackend), openClGflops,
                openClRatio, openClGflops > 0 && javaGflops > 0 ? openClGflops / javaGflops : -1, json(openClBackend),
                loadStart, loadEnd);
    }

    private static final int WHAT = 78;
    private static final String ROW_TEXT = "%-" + WHAT + "s %10s %10s %12s %10s %7s%n";

    /** A table row; sgemm is the sgemm rate measured in the same rounds (NaN: none). */
    private static void row(String what, double fwdSeconds, double bwdSeconds, double gflops, double sgemm) {
        System.out.printf(Locale.ROOT, "%-" + WHAT + "s %10.1f %10.1f %12.1f %10s %7s%n", trim(what),
                fwdSeconds * 1e3, bwdSeconds * 1e3, gflops,
                Double.isNaN(sgemm) ? "-" : String.format(Locale.ROOT, "%.1f", sgemm),
                Double.isNaN(sgemm) ? "-" : String.format(Locale.ROOT, "%.3f", gflops / sgemm));
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

    /** One kernel's forward and backward on fixed random inputs. */
    private static final class Flash {
        final AttentionKernel kernel;
        final AttentionShape s;
        final float[] q, k, v, dOut, out, lse, dq, dk, dv;

        Flash(AttentionKernel kernel, AttentionShape s) {
            this.kernel = kernel;
            this.s = s;
            SplittableRandom r = new SplittableRandom(42);
            q = random(r, s.queryElements());
            k = random(r, s.keyElements());
            v = random(r, s.keyElements());
            dOut = random(r, s.queryElements());
            out = new float[s.queryElements()];
            lse = new float[s.rows()];
            dq = new float[s.queryElements()];
            dk = new float[s.keyElements()];
            dv = new float[s.keyElements()];
        }

        void forward() {
            kernel.forward(s, q, k, v, out, lse);
        }

        void backward() {
            kernel.backward(s, q, k, v, out, lse, dOut, dq, dk, dv);
        }
    }

    /** Materialized ND4J attention, head by head; backward uses the last forward's P and O. */
    private static final class Materialized {
        final AttentionShape s;
        final INDArray[] q, k, v, dO;
        final INDArray[][] fwdOut;

        Materialized(AttentionShape s) {
            this.s = s;
            int heads = s.batch * s.heads;
            q = new INDArray[heads];
            k = new INDArray[heads];
            v = new INDArray[heads];
            dO = new INDArray[heads];
            fwdOut = new INDArray[heads][];
            for (int h = 0; h < heads; h++) {
                q[h] = MaterializedAttention.random(s.queryLength, s.headDim);
                k[h] = MaterializedAttention.random(s.keyLength, s.headDim);
                v[h] = MaterializedAttention.random(s.keyLength, s.headDim);
                dO[h] = MaterializedAttention.random(s.queryLength, s.headDim);
            }
        }

        void forward() {
            for (int h = 0; h < q.length; h++) {
                fwdOut[h] = MaterializedAttention.forward(q[h], k[h], v[h], s.scale);
            }
        }

        void backward() {
            for (int h = 0; h < q.length; h++) {
                MaterializedAttention.backward(q[h], k[h], v[h], fwdOut[h][0], fwdOut[h][1], dO[h], s.scale);
            }
        }
    }

    /**
     * Pause before each timed run. BLAS and OpenMP worker threads (ND4J's) and ForkJoin workers
     * spin for a while after their work is done before they sleep; without a pause, the
     * threads of one body would still be spinning on the 2 cores while the next is timed.
     */
    static final long PAUSE_MS = 300;

    /**
     * Median seconds of each body: {@code warmup} untimed rounds, then {@code n} timed rounds,
     * each round running every body once, in order, each after {@link #PAUSE_MS}.
     */
    private double[] interleaved(int n, Runnable... bodies) {
        for (int i = 0; i < warmup; i++) {
            for (Runnable b : bodies) {
                b.run();
            }
        }
        awaitQuietJit();
        double[][] t = new double[bodies.length][n];
        for (int i = 0; i < n; i++) {
            for (int j = 0; j < bodies.length; j++) {
                try {
                    Thread.sleep(PAUSE_MS);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    throw new IllegalStateException("bench interrupted", e);
                }
                long t0 = System.nanoTime();
                bodies[j].run();
                t[j][i] = (System.nanoTime() - t0) / 1e9;
            }
        }
        double[] medians = new double[bodies.length];
        for (int j = 0; j < bodies.length; j++) {
            Arrays.sort(t[j]);
            medians[j] = n % 2 == 1 ? t[j][n / 2] : (t[j][n / 2 - 1] + t[j][n / 2]) / 2;
        }
        return medians;
    }

    /**
     * Runs {@code main} of {@code probe} in a child JVM with bragg's JVM flags and {@code L},
     * the budget and {@code extra} as arguments; true when it completed (exit 0).
     */
    private static boolean probe(String what, Class<?> probe, int length, String... extra) {
        List<String> args = new ArrayList<>(List.of(String.valueOf(length), String.valueOf(BUDGET_BYTES)));
        args.addAll(Arrays.asList(extra));
        String outcome;
        boolean ok;
        try {
            // The heap cannot take the whole budget; the resident-set watchdog is the limit.
            ChildJvm.Outcome o = ChildJvm.run(probe, List.of("-Xmx3g"), Map.of(), args, 600, line -> { });
            ok = o.exitCode() == 0;
            outcome = ok ? lastLine(o.output()) : "failed (exit " + o.exitCode() + "): " + firstCause(o.output());
        } catch (IOException e) {
            ok = false;
            outcome = "failed: " + e.getMessage();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            ok = false;
            outcome = "interrupted";
        }
        System.out.printf(Locale.ROOT, "  %s L=%d in a child JVM: %s%n", what, length, outcome);
        return ok;
    }

    /**
     * Waits (at most 20 s) until the JIT has compiled nothing for half a second: C2 compiling the
     * Vector API loops after the warm-up would take a core from whichever body runs next.
     */
    private static void awaitQuietJit() {
        java.lang.management.CompilationMXBean jit = java.lang.management.ManagementFactory.getCompilationMXBean();
        if (jit == null || !jit.isCompilationTimeMonitoringSupported()) {
            return;
        }
        long deadline = System.nanoTime() + 20_000_000_000L;
        long before = jit.getTotalCompilationTime();
        while (System.nanoTime() < deadline) {
            try {
                Thread.sleep(500);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IllegalStateException("bench interrupted", e);
            }
            long now = jit.getTotalCompilationTime();
            if (now == before) {
                return;
            }
            before = now;
        }
    }

    /** The first three fields of /proc/loadavg, or "unknown" off Linux. */
    static String loadAverage() {
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
