package bragg.kernels.check;

import bragg.kernels.AttentionKernel;
import bragg.kernels.AttentionShape;
import bragg.kernels.ReferenceAttention;

import java.util.SplittableRandom;

/**
 * One kernel against the float64 {@link ReferenceAttention} on one shape, forward and backward:
 * the worst, over out, lse, dq, dk and dv, of max|kernel - ref| / max|ref| (lse over its finite
 * entries; a NaN, or a finite lse where the reference has -Infinity, counts as an infinite error).
 * The gradients' denominator is floored at 1e-2 of the call's largest reference gradient, as in
 * the kernels' tests: a gradient that vanishes exactly (one visible key) is rounding noise in float.
 */
final class ReferenceCheck {
    private ReferenceCheck() {
    }

    static double worstError(AttentionKernel kernel, AttentionShape s, long seed) {
        SplittableRandom r = new SplittableRandom(seed);
        float[] q = GpuCheck.random(r, s.queryElements()), k = GpuCheck.random(r, s.keyElements());
        float[] v = GpuCheck.random(r, s.keyElements()), dOut = GpuCheck.random(r, s.queryElements());
        ReferenceAttention ref = new ReferenceAttention();
        double[] rOut = new double[s.queryElements()], rLse = new double[s.rows()];
        double[] rDq = new double[s.queryElements()], rDk = new double[s.keyElements()], rDv = new double[s.keyElements()];
        double[] qd = ReferenceAttention.toDouble(q), kd = ReferenceAttention.toDouble(k), vd = ReferenceAttention.toDouble(v);
        ref.forward(s, qd, kd, vd, rOut, rLse);
        ref.backward(s, qd, kd, vd, ReferenceAttention.toDouble(dOut), rDq, rDk, rDv);
        float[] out = new float[s.queryElements()], lse = new float[s.rows()];
        float[] dq = new float[s.queryElements()], dk = new float[s.keyElements()], dv = new float[s.keyElements()];
        kernel.forward(s, q, k, v, out, lse);
        kernel.backward(s, q, k, v, out, lse, dOut, dq, dk, dv);
        double gradFloor = 1e-2 * Math.max(maxAbs(rDq), Math.max(maxAbs(rDk), maxAbs(rDv)));
        double worst = error(rOut, out, 0);
        worst = Math.max(worst, lseError(rLse, lse));
        worst = Math.max(worst, error(rDq, dq, gradFloor));
        worst = Math.max(worst, error(rDk, dk, gradFloor));
        return Math.max(worst, error(rDv, dv, gradFloor));
    }

    private static double error(double[] ref, float[] got, double floor) {
        double diff = 0;
        for (int i = 0; i < ref.length; i++) {
            if (!Float.isFinite(got[i])) {
                return Double.POSITIVE_INFINITY;
            }
            diff = Math.max(diff, Math.abs(got[i] - ref[i]));
        }
        return diff / Math.max(Math.max(1e-6, floor), maxAbs(ref));
    }

    private static double lseError(double[] ref, float[] got) {
        double diff = 0, top = 0;
        for (int i = 0; i < ref.length; i++) {
            if (ref[i] == Double.NEGATIVE_INFINITY) {
                if (got[i] != Float.NEGATIVE_INFINITY) {
                    return Double.POSITIVE_INFINITY;
                }
            } else if (!Float.isFinite(got[i])) {
                return Double.POSITIVE_INFINITY;
            } else {
                diff = Math.max(diff, Math.abs(got[i] - ref[i]));
                top = Math.max(top, Math.abs(ref[i]));
            }
        }
        return diff / Math.max(1e-6, top);
    }

    private static double maxAbs(double[] a) {
        double m = 0;
        for (double x : a) {
            m = Math.max(m, Math.abs(x));
        }
        return m;
    }
}
