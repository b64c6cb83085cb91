package bragg.kernels;

import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorSpecies;

/**
 * {@link TileGemm#nn} on the Vector API: C[M, N] (+)= A[M, K] . B[K, N], row-major. A block of
 * 4 rows x 2 vectors of C stays in 8 vector registers while the loop runs over K; each step
 * loads 2 vectors of B, broadcasts 4 scalars of A and issues 8 fused multiply-adds. N is a
 * multiple of the lane count (callers pad), so there is no tail.
 *
 * <p>Loaded only when the JVM has the module jdk.incubator.vector ({@link TileGemm#SIMD_AVAILABLE}): the
 * class refers to it, and HotSpot resolves the reference on first use.
 */
final class VectorTileGemm {
    private static final VectorSpecies<Float> F = FloatVector.SPECIES_PREFERRED;
    private static final int L = F.length();

    private VectorTileGemm() {
    }

    static int lanes() {
        return L;
    }

    static void nn(float[] a, int ao, int lda, float[] b, int bo, int ldb, int m, int n, int k,
                   float[] c, int co, int ldc, boolean accumulate) {
        for (int r = 0; r < m; r += 4) {
            int a0 = ao + r * lda, a1 = a0 + lda, a2 = a1 + lda, a3 = a2 + lda;
            int c0 = co + r * ldc, c1 = c0 + ldc, c2 = c1 + ldc, c3 = c2 + ldc;
            int col = 0;
            for (; col + 2 * L <= n; col += 2 * L) {
                FloatVector s00, s01, s10, s11, s20, s21, s30, s31;
                if (accumulate) {
                    s00 = FloatVector.fromArray(F, c, c0 + col);
                    s01 = FloatVector.fromArray(F, c, c0 + col + L);
                    s10 = FloatVector.fromArray(F, c, c1 + col);
                    s11 = FloatVector.fromArray(F, c, c1 + col + L);
                    s20 = FloatVector.fromArray(F, c, c2 + col);
                    s21 = FloatVector.fromArray(F, c, c2 + col + L);
                    s30 = FloatVector.fromArray(F, c, c3 + col);
                    s31 = FloatVector.fromArray(F, c, c3 + col + L);
                } else {
                    s00 = s01 = s10 = s11 = s20 = s21 = s30 = s31 = FloatVector.zero(F);
                }
                for (int t = 0, bt = bo + col; t < k; t++, bt += ldb) {
                    FloatVector y0 = FloatVector.fromArray(F, b, bt);
                    FloatVector y1 = FloatVector.fromArray(F, b, bt + L);
                    FloatVector x = FloatVector.broadcast(F, a[a0 + t]);
                    s00 = x.fma(y0, s00);
                    s01 = x.fma(y1, s01);
                    x = FloatVector.broadcast(F, a[a1 + t]);
                    s10 = x.fma(y0, s10);
                    s11 = x.fma(y1, s11);
                    x = FloatVector.broadcast(F, a[a2 + t]);
                    s20 = x.fma(y0, s20);
                    s21 = x.fma(y1, s21);
                    x = FloatVector.broadcast(F, a[a3 + t]);
                    s30 = x.fma(y0, s30);
                    s31 = x.fma(y1, s31);
                }
                s00.intoArray(c, c0 + col);
                s01.intoArray(c, c0 + col + L);
                s10.intoArray(c, c1 + col);
                s11.intoArray(c, c1 + col + L);
                s20.intoArray(c, c2 + col);
                s21.intoArray(c, c2 + col + L);
                s30.intoArray(c, c3 + col);
                s31.intoArray(c, c3 + col + L);
            }
            for (; col < n; col += L) { // one vector left
                FloatVector s0, s1, s2, s3;
                if (accumulate) {
                    s0 = FloatVector.fromArray(F, c, c0 + col);
                    s1 = FloatVector.fromArray(F, c, c1 + col);
                    s2 = FloatVector.fromArray(F, c, c2 + col);
                    s3 = FloatVector.fromArray(F, c, c3 + col);
                } else {
                    s0 = s1 = s2 = s3 = FloatVector.zero(F);
                }
                for (int t = 0, bt = bo + col; t < k; t++, bt += ldb) {
                    FloatVector y = FloatVector.fromArray(F, b, bt);
                    s0 = FloatVector.broadcast(F, a[a0 + t]).fma(y, s0);
                    s1 = FloatVector.broadcast(F, a[a1 + t]).fma(y, s1);
                    s2 = FloatVector.broadcast(F, a[a2 + t]).fma(y, s2);
                    s3 = FloatVector.broadcast(F, a[a3 + t]).fma(y, s3);
                }
                s0.intoArray(c, c0 + col);
                s1.intoArray(c, c1 + col);
                s2.intoArray(c, c2 + col);
                s3.intoArray(c, c3 + col);
            }
        }
    }

    /**
     * C[M, N] += A^T . B with A stored transposed: element (r, t) of the product's left operand
     * at at[ao + t*lda + r]. The same register block as {@link #nn}; the four broadcasts of a step
     * read four neighbours of one row of the stored A.
     */
    static void tnAccumulate(float[] at, int ao, int lda, float[] b, int bo, int ldb, int m, int n, int k,
                             float[] c, int co, int ldc) {
        for (int r = 0; r < m; r += 4) {
            int c0 = co + r * ldc, c1 = c0 + ldc, c2 = c1 + ldc, c3 = c2 + ldc;
            int col = 0;
            for (; col + 2 * L <= n; col += 2 * L) {
                FloatVector s00 = FloatVector.fromArray(F, c, c0 + col);
                FloatVector s01 = FloatVector.fromArray(F, c, c0 + col + L);
                FloatVector s10 = FloatVector.fromArray(F, c, c1 + col);
                FloatVector s11 = FloatVector.fromArray(F, c, c1 + col + L);
                FloatVector s20 = FloatVector.fromArray(F, c, c2 + col);
                FloatVector s21 = FloatVector.fromArray(F, c, c2 + col + L);
                FloatVector s30 = FloatVector.fromArray(F, c, c3 + col);
                FloatVector s31 = FloatVector.fromArray(F, c, c3 + col + L);
                for (int t = 0, bt = bo + col, a = ao + r; t < k; t++, bt += ldb, a += lda) {
                    FloatVector y0 = FloatVector.fromArray(F, b, bt);
                    FloatVector y1 = FloatVector.fromArray(F, b, bt + L);
                    FloatVector x = FloatVector.broadcast(F, at[a]);
                    s00 = x.fma(y0, s00);
                    s01 = x.fma(y1, s01);
                    x = FloatVector.broadcast(F, at[a + 1]);
                    s10 = x.fma(y0, s10);
                    s11 = x.fma(y1, s11);
                    x = FloatVector.broadcast(F, at[a + 2]);
                    s20 = x.fma(y0, s20);
                    s21 = x.fma(y1, s21);
                    x = FloatVector.broadcast(F, at[a + 3]);
                    s30 = x.fma(y0, s30);
                    s31 = x.fma(y1, s31);
                }
                s00.intoArray(c, c0 + col);
                s01.intoArray(c, c0 + col + L);
                s10.intoArray(c, c1 + col);
                s11.intoArray(c, c1 + col + L);
                s20.intoArray(c, c2 + col);
                s21.intoArray(c, c2 + col + L);
                s30.intoArray(c, c3 + col);
                s31.intoArray(c, c3 + col + L);
            }
            for (; col < n; col += L) {
                FloatVector s0 = FloatVector.fromArray(F, c, c0 + col);
                FloatVector s1 = FloatVector.fromArray(F, c, c1 + col);
                FloatVector s2 = FloatVector.fromArray(F, c, c2 + col);
                FloatVector s3 = FloatVector.fromArray(F, c, c3 + col);
                for (int t = 0, bt = bo + col, a = ao + r; t < k; t++, bt += ldb, a += lda) {
                    FloatVector y = FloatVector.fromArray(F, b, bt);
                    s0 = FloatVector.broadcast(F, at[a]).fma(y, s0);
                    s1 = FloatVector.broadcast(F, at[a + 1]).fma(y, s1);
                    s2 = FloatVector.broadcast(F, at[a + 2]).fma(y, s2);
                    s3 = FloatVector.broadcast(F, at[a + 3]).fma(y, s3);
                }
                s0.intoArray(c, c0 + col);
                s1.intoArray(c, c1 + col);
                s2.intoArray(c, c2 + col);
                s3.intoArray(c, c3 + col);
            }
        }
    }
}
