package bragg.kernels;

/**
 * The element-wise steps of {@link JavaFlashAttention} between its tile products: the row max,
 * exp and sum of the forward's online softmax, and dS = P * (dP - D) of the backward. Like
 * {@link TileGemm}, on SIMD vectors ({@link VectorSoftmaxRows}) when {@code simd}, else scalar;
 * both use {@link FastExp}'s method, so both give the same values to rounding.
 */
final class SoftmaxRows {
    private SoftmaxRows() {
    }

    /** max of x[off .. off+n). */
    static float max(boolean simd, float[] x, int off, int n) {
        if (simd) {
            return VectorSoftmaxRows.max(x, off, n);
        }
        float m = Float.NEGATIVE_INFINITY;
        for (int j = 0; j < n; j++) {
            m = Math.max(m, x[off + j]);
        }
        return m;
    }

    /** x[j] = exp(x[j] - shift) for j in [off, off+n); returns their sum. */
    static float expShiftSum(boolean simd, float[] x, int off, int n, float shift) {
        if (simd) {
            return VectorSoftmaxRows.expShiftSum(x, off, n, shift);
        }
        float sum = 0f;
        for (int j = off; j < off + n; j++) {
            float p = FastExp.exp(x[j] - shift);
            x[j] = p;
            sum += p;
        }
        return sum;
    }

    /** One query row: dp[j] = exp(s[j] - lse) * (dp[j] - d) for j in [off, off+n). */
    static void dsRow(boolean simd, float[] s, float[] dp, int off, int n, float lse, float d) {
        if (simd) {
            VectorSoftmaxRows.dsRow(s, dp, off, n, lse, d);
            return;
        }
        for (int j = off; j < off + n; j++) {
            dp[j] = FastExp.exp(s[j] - lse) * (dp[j] - d);
        }
    }

    /**
     * One key against a tile of queries ii in [from, n): p[off+ii] = exp(p[off+ii] - lse[ii]) and
     * ds[off+ii] = p * (ds[off+ii] - d[ii]). A fully masked query (lse = -inf) has P = 0, not
     * exp(s + inf).
     */
    static void dsColumn(boolean simd, float[] p, float[] ds, int off, int from, int n, float[] lse, float[] d) {
        if (simd) {
            VectorSoftmaxRows.dsColumn(p, ds, off, from, n, lse, d);
            return;
        }
        for (int ii = from; ii < n; ii++) {
            dsColumnScalar(p, ds, off, ii, lse, d);
        }
    }

    static void dsColumnScalar(float[] p, float[] ds, int off, int ii, float[] lse, float[] d) {
        float lr = lse[ii];
        float pv = lr == Float.NEGATIVE_INFINITY ? 0f : FastExp.exp(p[off + ii] - lr);
        p[off + ii] = pv;
        ds[off + ii] = pv * (ds[off + ii] - d[ii]);
    }
}
