package bragg.kernels.check;

import bragg.kernels.AttentionKernel;
import bragg.kernels.AttentionKernels;
import bragg.kernels.AttentionShape;
import bragg.kernels.ReferenceAttention;
import com.aparapi.device.Device;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.SplittableRandom;

/**
 * The main of the gpu-check bundle (scripts/gpu-check): on a node with nothing but the bundle,
 * (a) checks every attention backend it finds (java and each OpenCL device) against the float64
 * {@link ReferenceAttention} at a few shapes, forward and backward, and (b) times forward +
 * backward at B=1, H=8, Dh=64 for each L of {@code --lengths} and at the default ViT's shape
 * (B=32, H=4, L=65, Dh=32), printing GFLOP/s per row and one JSON line (also written to
 * {@code --json FILE}, which the bundle's launcher reads to add PyTorch's SDPA ratio).
 *
 * <p>FLOP convention as bench attention: forward 4*B*H*Lq*Lk*Dh, backward 2.5 times that.
 * Exit 0 when every check passed, 1 when one failed, 2 on bad arguments.
 */
public final class GpuCheck {
    /** Max-norm relative error bound, as the kernels' tests use. */
    static final double TOLERANCE = 1e-4;
    static final AttentionShape VIT = AttentionShape.self(32, 4, 65, 32);

    private GpuCheck() {
    }

    public static void main(String[] args) throws IOException {
        int[] lengths = {1024, 4096, 16384};
        int reps = 3;
        Path json = null;
        try {
            for (int i = 0; i < args.length; i++) {
                switch (args[i]) {
                    case "--lengths" -> lengths = Arrays.stream(args[++i].split(",")).mapToInt(Integer::parseInt).toArray();
                    case "--reps" -> reps = Integer.parseInt(args[++i]);
                    case "--json" -> json = Path.of(args[++i]);
                    default -> throw new IllegalArgumentException("unknown argument '" + args[i] + "'");
                }
            }
            if (reps < 1 || Arrays.stream(lengths).anyMatch(l -> l < 1)) {
                throw new IllegalArgumentException("--reps and every L of --lengths must be >= 1");
            }
        } catch (RuntimeException e) {
            System.err.println("gpu-check: " + e.getMessage() + "; usage: gpu-check [--lengths 1024,4096,16384] "
                    + "[--reps 3] [--json FILE]");
            System.exit(2);
        }
        System.out.println("OpenCL devices: " + AttentionKernels.listOpenClDevices());
        List<String> backends = new ArrayList<>(List.of("java"));
        for (Device.TYPE type : new Device.TYPE[] {Device.TYPE.GPU, Device.TYPE.CPU}) {
            String prefix = type == Device.TYPE.GPU ? "opencl-gpu:" : "opencl-cpu:";
            for (int i = 0; i < AttentionKernels.listDevices(type).size(); i++) {
                backends.add(prefix + i);
            }
        }
        List<AttentionShape> shapes = new ArrayList<>();
        for (int l : lengths) {
            shapes.add(AttentionShape.self(1, 8, l, 64));
        }
        shapes.add(VIT);
        boolean allPass = true;
        List<String> rows = new ArrayList<>();
        for (String name : backends) {
            try (AttentionKernel kernel = AttentionKernels.open(name)) {
                for (AttentionShape s : checkShapes()) {
                    double err = ReferenceCheck.worstError(kernel, s, 7);
                    boolean pass = err < TOLERANCE;
                    allPass &= pass;
                    System.out.printf(Locale.ROOT, "check %-14s %-60s max rel error %.2e %s%n", name, s, err,
                            pass ? "ok" : "FAILED (bound " + TOLERANCE + ")");
                    rows.add(String.format(Locale.ROOT, "{\"kind\": \"check\", \"backend\": \"%s\", \"shape\": \"%s\", "
                            + "\"max_rel_error\": %.3e, \"pass\": %b}", name, s, err, pass));
                }
                for (AttentionShape s : shapes) {
                    double[] t = Timing.forwardBackward(kernel, s, reps);
                    double gflops = (s.forwardFlops() + s.backwardFlops()) / (t[0] + t[1]) / 1e9;
                    System.out.printf(Locale.ROOT, "time  %-14s B=%d H=%d L=%d Dh=%d  fwd %.2f ms  bwd %.2f ms  "
                                    + "%.1f GFLOP/s  (%s)%n", name, s.batch, s.heads, s.queryLength, s.headDim,
                            t[0] * 1e3, t[1] * 1e3, gflops, kernel.backend());
                    rows.add(String.format(Locale.ROOT, "{\"kind\": \"time\", \"backend\": \"%s\", \"detail\": \"%s\", "
                                    + "\"B\": %d, \"H\": %d, \"L\": %d, \"Dh\": %d, \"fwd_ms\": %.3f, \"bwd_ms\": %.3f, "
                                    + "\"gflops\": %.2f}", name, kernel.backend().replace("\"", "'"), s.batch, s.heads,
                            s.queryLength, s.headDim, t[0] * 1e3, t[1] * 1e3, gflops));
                }
            } catch (IllegalArgumentException e) {
                allPass = false;
                System.out.println("backend " + name + " could not be opened: " + e.getMessage());
                rows.add("{\"kind\": \"open\", \"backend\": \"" + name + "\", \"pass\": false}");
            }
        }
        String line = "{\"flop_convention\": \"fwd 4*B*H*Lq*Lk*Dh, bwd 2.5x fwd\", \"all_checks_pass\": " + allPass
                + ", \"rows\": [" + String.join(", ", rows) + "]}";
        System.out.println(line);
        if (json != null) {
            Files.writeString(json, line + "\n");
        }
        System.exit(allPass ? 0 : 1);
    }

    /** Masks and cross-attention as the kernels' tests cover them, few enough to run anywhere. */
    static List<AttentionShape> checkShapes() {
        return List.of(
                AttentionShape.builder().batch(2).heads(3).queryLength(65).keyLength(65).headDim(64).causal(true)
                        .build(),
                AttentionShape.builder().batch(2).heads(1).queryLength(19).keyLength(150).headDim(128)
                        .keyLengths(new int[] {150, 77}).build(),
                AttentionShape.builder().batch(3).heads(2).queryLength(5).keyLength(67).headDim(7)
                        .keyLengths(new int[] {0, 67, 3}).build(),
                AttentionShape.builder().batch(2).heads(4).queryLength(65).keyLength(65).headDim(32).build());
    }

    /** Random inputs for a shape, N(0, 1.5^2)-ish, from a seed. */
    static float[] random(SplittableRandom r, int n) {
        float[] a = new float[n];
        for (int i = 0; i < n; i++) {
            a[i] = (float) (1.5 * r.nextGaussian());
        }
        return a;
    }
}
