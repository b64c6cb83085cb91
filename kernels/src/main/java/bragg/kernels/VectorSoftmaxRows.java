package bragg.kernels;

import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorMask;
import jdk.incubator.vector.VectorOperators;
import jdk.incubator.vector.VectorSpecies;

/**
 * {@link SoftmaxRows} on the Vector API: whole vectors, then a scalar tail. exp is
 * {@link FastExp}'s method lane by lane (Cody-Waite reduction, degree-6 polynomial with fused
 * multiply-adds, 2^n built in the exponent bits). Loaded only with jdk.incubator.vector.
 */
final class VectorSoftmaxRows {
    private static final VectorSpecies<Float> F = FloatVector.SPECIES_PREFERRED;
    private static final int L = F.length();

    private VectorSoftmaxRows() {
    }

    // vector constants: the fma(float, float) forms are not intrinsified in Java 17 (they run the
    // Java fallback loop), the all-vector forms are
    private static final FloatVector LOG2E = FloatVector.broadcast(F, FastExp.LOG2E);
    private static final FloatVector ROUND = FloatVector.broadcast(F, FastExp.ROUND);
    private static final FloatVector NEG_LN2_HI = FloatVector.broadcast(F, -FastExp.LN2_HI);
    private static final FloatVector NEG_LN2_LO = FloatVector.broadcast(F, -FastExp.LN2_LO);
    private static final FloatVector C6 = FloatVector.broadcast(F, 1f / 720f);
    private static final FloatVector C5 = FloatVector.broadcast(F, 1f / 120f);
    private static final FloatVector C4 = FloatVector.broadcast(F, 1f / 24f);
    private static final FloatVector C3 = FloatVector.broadcast(F, 1f / 6f);
    private static final FloatVector C2 = FloatVector.broadcast(F, 0.5f);
    private static final FloatVector ONE = FloatVector.broadcast(F, 1f);

    /** FastExp.exp on every lane. */
    static FloatVector exp(FloatVector x) {
        FloatVector v = x.max(FastExp.MIN_X);
        FloatVector t = v.fma(LOG2E, ROUND);
        FloatVector n = t.sub(ROUND);
        FloatVector r = n.fma(NEG_LN2_HI, v);
        r = n.fma(NEG_LN2_LO, r);
        FloatVector p = r.fma(C6, C5);
        p = p.fma(r, C4);
        p = p.fma(r, C3);
        p = p.fma(r, C2);
        p = p.fma(r, ONE);
        p = p.fma(r, ONE);
        FloatVector two = t.reinterpretAsInts().add(127).lanewise(VectorOperators.LSHL, 23).reinterpretAsFloats();
        return p.mul(two);
    }

    static float max(float[] x, int off, int n) {
        int j = 0;
        float m = Float.NEGATIVE_INFINITY;
        if (n >= L) {
            FloatVector acc = FloatVector.fromArray(F, x, off);
            for (j = L; j + L <= n; j += L) {
                acc = acc.max(FloatVector.fromArray(F, x, off + j));
            }
            m = acc.reduceLanes(VectorOperators.MAX);
        }
        for (; j < n; j++) {
            m = Math.max(m, x[off + j]);
        }
        return m;
    }

    static float expShiftSum(float[] x, int off, int n, float shift) {
        int j = 0;
        FloatVector acc = FloatVector.zero(F);
        for (; j + L <= n; j += L) {
            FloatVector p = exp(FloatVector.fromArray(F, x, off + j).sub(shift));
            p.intoArray(x, off + j);
            acc = acc.add(p);
        }
        float sum = acc.reduceLanes(VectorOperators.ADD);
        for (; j < n; j++) {
            float p = FastExp.exp(x[off + j] - shift);
            x[off + j] = p;
            sum += p;
        }
        return sum;
    }

    static void dsRow(float[] s, float[] dp, int off, int n, float lse, float d) {
        int j = 0;
        for (; j + L <= n; j += L) {
            FloatVector p = exp(FloatVector.fromArray(F, s, off + j).sub(lse));
            p.mul(FloatVector.fromArray(F, dp, off + j).sub(d)).intoArray(dp, off + j);
        }
        for (; j < n; j++) {
            dp[off + j] = FastExp.exp(s[off + j] - lse) * (dp[off + j] - d);
        }
    }

    static void dsColumn(float[] p, float[] ds, int off, int from, int n, float[] lse, float[] d) {
        int ii = from;
        for (; ii + L <= n; ii += L) {
            FloatVector lr = FloatVector.fromArray(F, lse, ii);
            VectorMask<Float> masked = lr.eq(Float.NEGATIVE_INFINITY);
            FloatVector pv = exp(FloatVector.fromArray(F, p, off + ii).sub(lr)).blend(0f, masked);
            pv.intoArray(p, off + ii);
            pv.mul(FloatVector.fromArray(F, ds, off + ii).sub(FloatVector.fromArray(F, d, ii))).intoArray(ds, off + ii);
        }
        for (; ii < n; ii++) {
            SoftmaxRows.dsColumnScalar(p, ds, off, ii, lse, d);
        }
    }
}
