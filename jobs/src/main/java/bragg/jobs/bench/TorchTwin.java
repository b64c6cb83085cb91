package bragg.jobs.bench;

import bragg.worker.model.VitConfig;
import java.io.BufferedReader;
import java.io.BufferedWriter;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.OutputStreamWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * The PyTorch twin of a {@code vit} ({@code scripts/bench/vit_twin.py}) as a child process that
 * stays up for the whole benchmark, so its rounds can alternate with bragg's: each command
 * ("train N", "infer N", "rss") is one line out and one line back.
 */
final class TorchTwin implements AutoCloseable {
    private final Process process;
    private final BufferedWriter in;
    private final BufferedReader out;
    final long params;
    final String version;

    private TorchTwin(Process process, long params, String version) {
        this.process = process;
        this.in = new BufferedWriter(new OutputStreamWriter(process.getOutputStream(), StandardCharsets.UTF_8));
        this.out = process.inputReader(StandardCharsets.UTF_8);
        this.params = params;
        this.version = version;
    }

    /** Why no twin can run (no python, no torch >= 2), or null when {@code python} has torch >= 2. */
    static String unavailable(String python) {
        try {
            Process p = new ProcessBuilder(python, "-c", "import torch,sys; print(torch.__version__); "
                    + "sys.exit(0 if int(torch.__version__.split('.')[0]) >= 2 else 3)").redirectErrorStream(true).start();
            String text = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8).trim();
            if (!p.waitFor(120, TimeUnit.SECONDS)) {
                p.destroyForcibly();
                return python + " did not answer within 120 s";
            }
            if (p.exitValue() == 3) {
                return python + " has torch " + text + "; the twin needs torch >= 2";
            }
            if (p.exitValue() != 0) {
                String last = text.isEmpty() ? "exit " + p.exitValue() : text.lines().reduce((a, b) -> b).orElse(text);
                return python + " cannot import torch (" + last + ")";
            }
            return null;
        } catch (IOException e) {
            return "no python at '" + python + "' (" + e.getMessage() + ")";
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return "interrupted";
        }
    }

    /**
     * Starts the twin of {@code c} on {@code threads} threads with the patterns of {@code input}
     * (float32 little-endian [batch, C, H, W]) and waits for its "ready" line.
     */
    static TorchTwin start(String python, Path script, VitConfig c, int batch, int inferBatch, int threads, Path input)
            throws IOException {
        if (!Files.isRegularFile(script)) {
            throw new IllegalStateException("the PyTorch twin " + script + " is missing (set bragg.root.dir to the checkout)");
        }
        List<String> cmd = new ArrayList<>(List.of(python, script.toString(),
                "--channels", "" + c.channels, "--height", "" + c.height, "--width", "" + c.width, "--patch", "" + c.patch,
                "--dim", "" + c.dim, "--heads", "" + c.heads, "--blocks", "" + c.blocks, "--hidden", "" + c.mlpHidden,
                "--classes", "" + c.outputs, "--batch", "" + batch, "--infer-batch", "" + inferBatch,
                "--threads", "" + threads, "--seed", "" + c.seed, "--lr", "" + c.learningRate, "--input", input.toString()));
        ProcessBuilder pb = new ProcessBuilder(cmd).redirectError(ProcessBuilder.Redirect.INHERIT);
        // the twin gets the same cores and no more: its OpenMP pool sized as bragg's replica
        pb.environment().put("OMP_NUM_THREADS", "" + threads);
        Process p = pb.start();
        BufferedReader r = p.inputReader(StandardCharsets.UTF_8);
        String ready = r.readLine();
        if (ready == null || !ready.startsWith("ready ")) {
            p.destroyForcibly();
            throw new IllegalStateException("the PyTorch twin did not start (" + String.join(" ", cmd) + "): said " + ready);
        }
        long params = -1;
        String version = "?";
        for (String f : ready.split(" ")) {
            if (f.startsWith("params=")) {
                params = Long.parseLong(f.substring(7));
            } else if (f.startsWith("torch=")) {
                version = f.substring(6);
            }
        }
        TorchTwin t = new TorchTwin(p, params, version);
        return t;
    }

    /** Seconds that {@code steps} training steps took in the twin. */
    double train(int steps) throws IOException {
        return ask("train " + steps);
    }

    /** Seconds that {@code steps} forward passes of the inference batch took in the twin. */
    double infer(int steps) throws IOException {
        return ask("infer " + steps);
    }

    /** The twin's peak resident set (ru_maxrss) in MiB. */
    double peakRssMb() throws IOException {
        return ask("rss");
    }

    private double ask(String command) throws IOException {
        in.write(command);
        in.newLine();
        in.flush();
        String reply = out.readLine();
        if (reply == null || !reply.startsWith("ok ")) {
            throw new IOException("the PyTorch twin answered '" + reply + "' to '" + command + "'");
        }
        return Double.parseDouble(reply.substring(3).trim());
    }

    @Override
    public void close() {
        try {
            in.write("quit");
            in.newLine();
            in.flush();
            if (!process.waitFor(10, TimeUnit.SECONDS)) {
                process.destroyForcibly();
            }
        } catch (IOException e) {
            process.destroyForcibly();
        } catch (InterruptedException e) {
            process.destroyForcibly();
            Thread.currentThread().interrupt();
        }
    }
}
