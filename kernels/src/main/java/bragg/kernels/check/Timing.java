package bragg.kernels.check;

import bragg.kernels.AttentionKernel;
import bragg.kernels.AttentionShape;

import java.util.Arrays;
import java.util.SplittableRandom;

/** Median forward and backward seconds of a kernel on one shape, after one untimed warm-up. */
final class Timing {
    private Timing() {
    }

    static double[] forwardBackward(AttentionKernel kernel, AttentionShape s, int reps) {
        SplittableRandom r = new SplittableRandom(11);
        float[] q = GpuCheck.random(r, s.queryElements()), k = GpuCheck.random(r, s.keyElements());
        float[] v = GpuCheck.random(r, s.keyElements()), dOut = GpuCheck.random(r, s.queryElements());
        float[] out = new float[s.queryElements()], lse = new float[s.rows()];
        float[] dq = new float[s.queryElements()], dk = new float[s.keyElements()], dv = new float[s.keyElements()];
        kernel.forward(s, q, k, v, out, lse);
        kernel.backward(s, q, k, v, out, lse, dOut, dq, dk, dv);
        double[] fwd = new double[reps], bwd = new double[reps];
        for (int i = 0; i < reps; i++) {
            long t0 = System.nanoTime();
            kernel.forward(s, q, k, v, out, lse);
            long t1 = System.nanoTime();
            kernel.backward(s, q, k, v, out, lse, dOut, dq, dk, dv);
            long t2 = System.nanoTime();
            fwd[i] = (t1 - t0) / 1e9;
            bwd[i] = (t2 - t1) / 1e9;
        }
        Arrays.sort(fwd);
        Arrays.sort(bwd);
        return new double[] {fwd[reps / 2], bwd[reps / 2]};
    }
}
