package bragg.jobs.bench;

import bragg.worker.collective.SoloCollective;
import bragg.worker.model.VitConfig;
import bragg.worker.model.VitModel;
import bragg.worker.model.ops.KernelProvider;
import bragg.worker.train.ReplicaStep;
import bragg.worker.train.ReplicaThreads;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import org.deeplearning4j.nn.graph.ComputationGraph;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.dataset.MultiDataSet;
import org.nd4j.linalg.factory.Nd4j;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * {@code bragg bench train}: one replica's training and inference speed against the yardstick a
 * user would pick instead, PyTorch on the same cores, and against the same-size stock-DL4J model
 * ({@link StockVit}). Prints a table, then one JSON line.
 * <pre>
 *   bragg    the vit's training step as a replica runs it ({@link ReplicaStep}: forward, backward,
 *            the collective of a world of one, clipping, Adam), threads = --threads
 *   torch    scripts/bench/vit_twin.py: the same architecture, initialisation scheme, parameter
 *            count (checked equal), batch, input patterns, Adam; torch.set_num_threads(--threads)
 *   stock    StockVit through DL4J's fit()
 *   infer    forward only, no gradients, --infer-batch patterns (torch under inference_mode)
 * </pre>
 * Each side is warmed up until two consecutive blocks of --steps steps agree within 3% (so more
 * warm-up would not move the ratio), then --rounds rounds alternate the sides (torch, bragg,
 * torch, bragg, ...) and each rate is the median of its rounds: load from other work on the
 * machine weighs on both sides alike.
 */
@Command(name = "train", mixinStandardHelpOptions = true,
        description = "Training and inference samples/s of the vit vs its PyTorch twin and a stock-DL4J model; table, then a JSON line.")
public final class TrainBench implements Runnable {

    @Option(names = "--size", description = "default (the default vit: 64x64, patch 8, D 128, 4 heads, 4 blocks) or s "
            + "(128x128, patch 16, D 384, 6 heads, 12 blocks, about 21 M parameters)")
    String size = "default";

    @Option(names = "--batch", description = "training samples per step (default ${DEFAULT-VALUE})")
    int batch = 32;

    @Option(names = "--infer-batch", description = "inference samples per forward pass (default ${DEFAULT-VALUE})")
    int inferBatch = 256;

    @Option(names = "--threads", description = "cores of the replica, for bragg and torch alike (default: all, ${DEFAULT-VALUE})")
    int threads = Runtime.getRuntime().availableProcessors();

    @Option(names = "--steps", description = "training steps per round and per warm-up block (default ${DEFAULT-VALUE})")
    int steps = 10;

    @Option(names = "--rounds", description = "timed rounds per side (default ${DEFAULT-VALUE})")
    int rounds = 5;

    @Option(names = "--max-warmup", description = "warm-up blocks at most, per side (default ${DEFAULT-VALUE})")
    int maxWarmup = 12;

    @Option(names = "--device", description = "attention device of the bragg model (default ${DEFAULT-VALUE})")
    String device = "auto";

    @Option(names = "--python", description = "python with torch >= 2 (default: $BRAGG_PYTHON, else python3)")
    String python;

    @Option(names = "--skip-stock", description = "skip the stock-DL4J model (its JSON values are then null)")
    boolean skipStock;

    /** One side of a comparison: the seconds {@code n} steps take. */
    @FunctionalInterface
    interface Side {
        double seconds(int n) throws IOException;
    }

    @Override
    public void run() {
        if (batch < 1 || inferBatch < 1 || steps < 1 || rounds < 1 || maxWarmup < 2 || threads < 1) {
            throw new IllegalArgumentException("--batch, --infer-batch, --steps, --rounds and --threads must be >= 1 and "
                    + "--max-warmup >= 2; found batch=" + batch + ", infer-batch=" + inferBatch + ", steps=" + steps
                    + ", rounds=" + rounds + ", max-warmup=" + maxWarmup + ", threads=" + threads);
        }
        try {
            bench();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private void bench() throws IOException {
        VitConfig c = config(size);
        c.attentionDevice = KernelProvider.checkDevice("--device", device);
        ReplicaThreads.use(threads);
        String loadStart = AttentionBench.loadAverage();
        ComputationGraph bragg = VitModel.build(c);
        String backend = KernelProvider.backend(c.attentionDevice);

        Nd4j.getRandom().setSeed(42);
        INDArray x = Nd4j.rand(DataType.FLOAT, batch, c.channels, c.height, c.width);
        INDArray y = Nd4j.zeros(DataType.FLOAT, batch, c.outputs);
        for (int b = 0; b < batch; b++) {
            y.putScalar(b, b % c.outputs, 1f);
        }
        INDArray xi = x.repeat(0, (inferBatch + batch - 1) / batch).get(
                org.nd4j.linalg.indexing.NDArrayIndex.interval(0, inferBatch)).dup('c');
        System.out.printf(Locale.ROOT, "bench train --size %s: %dx%d patterns, patch %d, D %d, %d heads, %d blocks, "
                        + "%d parameters; batch %d (inference %d), %d threads; attention backend: %s%n", size, c.height,
                c.width, c.patch, c.dim, c.heads, c.blocks, bragg.numParams(), batch, inferBatch, threads, backend);

        String py = python != null ? python : System.getenv().getOrDefault("BRAGG_PYTHON", "python3");
        String noTorch = TorchTwin.unavailable(py);
        TorchTwin twin = null;
        Path input = Files.createTempFile("bragg-bench-train", ".f32");
        try {
            if (noTorch == null) {
                writeFloats(x, input);
                Path script = Path.of(System.getProperty("bragg.root.dir", "."), "scripts", "bench", "vit_twin.py");
                twin = TorchTwin.start(py, script, c, batch, inferBatch, threads, input);
                if (twin.params != bragg.numParams()) {
                    throw new IllegalStateException("the PyTorch twin has " + twin.params + " parameters, bragg's vit "
                            + bragg.numParams() + ": the models differ, so their speeds cannot be compared");
                }
                System.out.println("PyTorch twin: torch " + twin.version + " (" + py + "), " + twin.params + " parameters");
            } else {
                System.out.println("PyTorch twin: not run: " + noTorch + " (use --python or BRAGG_PYTHON)");
            }

            ReplicaStep step = new ReplicaStep(bragg, new SoloCollective(), 0, batch, 1);
            MultiDataSet data = new MultiDataSet(new INDArray[]{x}, new INDArray[]{y});
            long[] stepNo = {0};
            Side braggTrain = n -> {
                long t0 = System.nanoTime();
                for (int i = 0; i < n; i++) {
                    step.run(m -> data, stepNo[0]++, 0);
                }
                return (System.nanoTime() - t0) / 1e9;
            };
            Side braggInfer = forward(bragg, xi);
            TorchTwin t = twin;
            Side torchTrain = t == null ? null : t::train;
            Side torchInfer = t == null ? null : t::infer;
            int inferSteps = Math.max(1, steps * batch / inferBatch);

            double[] train = compare("train", "torch", torchTrain, braggTrain, steps, batch);
            double[] infer = compare("infer", "torch", torchInfer, braggInfer, inferSteps, inferBatch);
            double braggRss = ResidentBudget.peakBytes() / 1048576.0;
            double torchRss = t == null ? Double.NaN : t.peakRssMb();

            double stockRate = Double.NaN, braggVsStock = Double.NaN;
            long stockParams = -1;
            if (!skipStock) {
                ComputationGraph stock = new ComputationGraph(StockVit.configuration(c, batch));
                stock.init();
                stockParams = stock.numParams();
                INDArray[] in = {x}, labels = {y};
                Side stockTrain = n -> {
                    // stock DL4J as its users run it: OpenBLAS on the replica's threads (bragg's
                    // products set it back to one thread, see Gemm)
                    Nd4j.factory().blas().setMaxThreads(threads);
                    long t0 = System.nanoTime();
                    for (int i = 0; i < n; i++) {
                        stock.fit(in, labels);
                    }
                    return (System.nanoTime() - t0) / 1e9;
                };
                double[] s = compare("stock", "stock", stockTrain, braggTrain, Math.max(1, steps / 2), batch);
                stockRate = s[0];
                braggVsStock = s[1];
            }
            String loadEnd = AttentionBench.loadAverage();

            System.out.printf(Locale.ROOT, "%n%-58s %12s %14s%n", "what", "parameters", "samples/s");
            row("bragg vit train (fused layers, flash attention)", bragg.numParams(), train[1]);
            row("PyTorch twin train" + (t == null ? " (not run)" : ", torch " + t.version), t == null ? -1 : t.params, train[0]);
            row("stock DL4J train (SelfAttentionLayer, Conv1D MLP, no LN)", stockParams, stockRate);
            row("bragg vit inference (batch " + inferBatch + ")", bragg.numParams(), infer[1]);
            row("PyTorch twin inference (batch " + inferBatch + ")", t == null ? -1 : t.params, infer[0]);
            System.out.printf(Locale.ROOT, "peak resident: bragg JVM %.0f MiB, torch %s MiB (before the stock model ran)%n",
                    braggRss, t == null ? "-" : String.format(Locale.ROOT, "%.0f", torchRss));
            System.out.println("load average (1, 5, 15 min): start " + loadStart + ", end " + loadEnd);
            System.out.printf(Locale.ROOT, "{\"bragg_samples_per_s\": %s, \"torch_samples_per_s\": %s, \"ratio_to_torch\": %s, "
                            + "\"stock_dl4j_samples_per_s\": %s, \"speedup\": %s, \"infer_bragg_samples_per_s\": %s, "
                            + "\"infer_torch_samples_per_s\": %s, \"infer_ratio_to_torch\": %s, \"bragg_peak_rss_mb\": %s, "
                            + "\"torch_peak_rss_mb\": %s, \"size\": \"%s\", \"params\": %d, \"batch\": %d, \"infer_batch\": %d, "
                            + "\"threads\": %d, \"backend\": \"%s\", \"torch_note\": %s, \"load_avg\": \"%s\", "
                            + "\"load_avg_end\": \"%s\"}%n",
                    num(train[1]), num(train[0]), num(train[1] / train[0]), num(stockRate), num(braggVsStock / stockRate),
                    num(infer[1]), num(infer[0]), num(infer[1] / infer[0]), num(braggRss), num(torchRss), size,
                    bragg.numParams(), batch, inferBatch, threads, backend.replace("\"", "'"),
                    noTorch == null ? "null" : "\"" + noTorch.replace("\"", "'") + "\"", loadStart, loadEnd);
        } finally {
            if (twin != null) {
                twin.close();
            }
            Files.deleteIfExists(input);
        }
    }

    /** The forward pass only (no gradients) of {@code model} over the batch {@code x}, one step = one pass. */
    static Side forward(ComputationGraph model, INDArray x) {
        return n -> {
            long t0 = System.nanoTime();
            for (int i = 0; i < n; i++) {
                model.output(false, x);
            }
            return (System.nanoTime() - t0) / 1e9;
        };
    }

    /**
     * Warms both sides up, then alternates them for --rounds rounds; returns the median samples/s
     * {other, bragg} (other is NaN when absent).
     */
    double[] compare(String what, String otherName, Side other, Side bragg, int n, int samplesPerStep) throws IOException {
        if (other != null) {
            warmUp(what + " " + otherName, other, n, samplesPerStep);
        }
        warmUp(what + " bragg", bragg, n, samplesPerStep);
        List<Double> o = new ArrayList<>(), b = new ArrayList<>();
        for (int r = 0; r < rounds; r++) {
            if (other != null) {
                o.add(samplesPerStep * n / other.seconds(n));
            }
            b.add(samplesPerStep * n / bragg.seconds(n));
        }
        System.out.printf(Locale.ROOT, "  %s rounds (samples/s): bragg %s%s%n", what, fmt(b),
                other == null ? "" : ", " + otherName + " " + fmt(o));
        return new double[]{other == null ? Double.NaN : median(o), median(b)};
    }

    /** Blocks of n steps until two in a row agree within 3% (or --max-warmup blocks). */
    private void warmUp(String what, Side side, int n, int samplesPerStep) throws IOException {
        double last = samplesPerStep * n / side.seconds(n);
        List<Double> seen = new ArrayList<>(List.of(last));
        for (int i = 1; i < maxWarmup; i++) {
            double now = samplesPerStep * n / side.seconds(n);
            seen.add(now);
            if (Math.abs(now - last) <= 0.03 * Math.max(now, last)) {
                break;
            }
            last = now;
        }
        System.out.printf(Locale.ROOT, "  warm-up %s: %d blocks of %d steps, samples/s %s%n", what, seen.size(), n, fmt(seen));
    }

    static VitConfig config(String size) {
        VitConfig c = new VitConfig();
        switch (size) {
            case "default" -> { }
            case "s" -> {
                c.height = 128;
                c.width = 128;
                c.patch = 16;
                c.dim = 384;
                c.heads = 6;
                c.blocks = 12;
            }
            default -> throw new IllegalArgumentException("--size must be default or s; found '" + size + "'");
        }
        return c;
    }

    private static void writeFloats(INDArray x, Path file) throws IOException {
        float[] v = new float[(int) x.length()];
        x.dup('c').data().asNioFloat().get(0, v, 0, v.length);
        ByteBuffer bb = ByteBuffer.allocate(4 * v.length).order(ByteOrder.LITTLE_ENDIAN);
        bb.asFloatBuffer().put(v);
        Files.write(file, bb.array());
    }

    private static void row(String what, long params, double rate) {
        System.out.printf(Locale.ROOT, "%-58s %12s %14s%n", what, params < 0 ? "-" : Long.toString(params),
                Double.isNaN(rate) ? "-" : String.format(Locale.ROOT, "%.1f", rate));
    }

    private static double median(List<Double> v) {
        double[] a = v.stream().mapToDouble(Double::doubleValue).sorted().toArray();
        return a.length % 2 == 1 ? a[a.length / 2] : (a[a.length / 2 - 1] + a[a.length / 2]) / 2;
    }

    private static String fmt(List<Double> v) {
        return Arrays.toString(v.stream().mapToDouble(d -> Math.round(d * 10) / 10.0).toArray());
    }

    private static String num(double v) {
        return Double.isFinite(v) ? String.format(Locale.ROOT, "%.3f", v) : "null";
    }
}
