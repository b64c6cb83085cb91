package bragg.jobs.bench;

import bragg.kernels.AttentionKernel;
import bragg.kernels.AttentionKernels;
import bragg.kernels.AttentionShape;

import java.util.SplittableRandom;

/**
 * Child-JVM probe for {@code bench attention}'s max_L_flash: one flash forward + backward at
 * B=1, H=1, Dh=64 and the L given, on the device given, under {@link ResidentBudget} (args: L,
 * budget bytes, device). Prints "ok ..." and exits 0 when it completes with finite gradients.
 */
public final class FlashProbe {
    private FlashProbe() {
    }

    public static void main(String[] args) {
        int length = Integer.parseInt(args[0]);
        ResidentBudget.enforce(Long.parseLong(args[1]));
        AttentionShape s = AttentionShape.self(1, 1, length, 64);
        long t0 = System.nanoTime();
        SplittableRandom r = new SplittableRandom(length);
        float[] q = AttentionBench.random(r, s.queryElements()), k = AttentionBench.random(r, s.keyElements());
        float[] v = AttentionBench.random(r, s.keyElements()), dOut = AttentionBench.random(r, s.queryElements());
        float[] out = new float[s.queryElements()], lse = new float[s.rows()];
        float[] dq = new float[s.queryElements()], dk = new float[s.keyElements()], dv = new float[s.keyElements()];
        try (AttentionKernel kernel = AttentionKernels.open(args[2])) {
            kernel.forward(s, q, k, v, out, lse);
            kernel.backward(s, q, k, v, out, lse, dOut, dq, dk, dv);
        }
        double check = 0;
        for (int i = 0; i < dq.length; i++) {
            check += dq[i] + dk[i] + dv[i];
        }
        ResidentBudget.exitWithOutcome(t0, check);
    }
}
