package bragg.kernels;

/**
 * The one small matrix product {@link JavaFlashAttention} is built from, register-blocked for the
 * JIT: C[M, N] (+)= A[M, K] . B[N, K]^T, both operands read along contiguous rows (the
 * "dot-product" or NT form). Every product in flash attention fits it once the streamed tile is
 * kept in the right orientation (scores: Q . K^T; outputs: P . (V^T)^T with V^T stored).
 *
 * <p>A 4 x 4 block of C lives in 16 scalar locals while the loop runs over K: 8 loads feed 16
 * multiply-adds, instead of 2 loads and a store per multiply-add in a plain axpy. C2 keeps the
 * locals in registers; this is about 3x faster than the axpy form on the bench machine.
 * M and N must be multiples of 4 (callers pad their tiles with zeros).
 */
final class TileGemm {
    private TileGemm() {
    }

    /**
     * @param a   A, row r at a[ao + r*lda .. + k)
     * @param b   B, row c at b[bo + c*ldb .. + k)
     * @param c   C, element (r, col) at c[co + r*ldc + col]
     * @param accumulate add to C instead of overwriting it
     */
    static void nt(float[] a, int ao, int lda, float[] b, int bo, int ldb, int m, int n, int k,
                   float[] c, int co, int ldc, boolean accumulate) {
        for (int r = 0; r < m; r += 4) {
            for (int col = 0; col < n; col += 4) {
                block(a, ao + r * lda, lda, b, bo + col * ldb, ldb, k, c, co + r * ldc + col, ldc, accumulate);
            }
        }
    }

    private static void block(float[] a, int a0, int lda, float[] b, int b0, int ldb, int k,
                              float[] c, int c0, int ldc, boolean accumulate) {
        float c00 = 0, c01 = 0, c02 = 0, c03 = 0, c10 = 0, c11 = 0, c12 = 0, c13 = 0;
        float c20 = 0, c21 = 0, c22 = 0, c23 = 0, c30 = 0, c31 = 0, c32 = 0, c33 = 0;
        final int a1 = a0 + lda, a2 = a1 + lda, a3 = a2 + lda;
        final int b1 = b0 + ldb, b2 = b1 + ldb, b3 = b2 + ldb;
        for (int t = 0; t < k; t++) {
            float x0 = a[a0 + t], x1 = a[a1 + t], x2 = a[a2 + t], x3 = a[a3 + t];
            float y0 = b[b0 + t], y1 = b[b1 + t], y2 = b[b2 + t], y3 = b[b3 + t];
            c00 += x0 * y0; c01 += x0 * y1; c02 += x0 * y2; c03 += x0 * y3;
            c10 += x1 * y0; c11 += x1 * y1; c12 += x1 * y2; c13 += x1 * y3;
            c20 += x2 * y0; c21 += x2 * y1; c22 += x2 * y2; c23 += x2 * y3;
            c30 += x3 * y0; c31 += x3 * y1; c32 += x3 * y2; c33 += x3 * y3;
        }
        if (accumulate) {
            c00 += c[c0]; c01 += c[c0 + 1]; c02 += c[c0 + 2]; c03 += c[c0 + 3];
            int r1 = c0 + ldc, r2 = r1 + ldc, r3 = r2 + ldc;
            c10 += c[r1]; c11 += c[r1 + 1]; c12 += c[r1 + 2]; c13 += c[r1 + 3];
            c20 += c[r2]; c21 += c[r2 + 1]; c22 += c[r2 + 2]; c23 += c[r2 + 3];
            c30 += c[r3]; c31 += c[r3 + 1]; c32 += c[r3 + 2]; c33 += c[r3 + 3];
        }
        int r1 = c0 + ldc, r2 = r1 + ldc, r3 = r2 + ldc;
        c[c0] = c00; c[c0 + 1] = c01; c[c0 + 2] = c02; c[c0 + 3] = c03;
        c[r1] = c10; c[r1 + 1] = c11; c[r1 + 2] = c12; c[r1 + 3] = c13;
        c[r2] = c20; c[r2 + 1] = c21; c[r2 + 2] = c22; c[r2 + 3] = c23;
        c[r3] = c30; c[r3 + 1] = c31; c[r3 + 2] = c32; c[r3 + 3] = c33;
    }
}
