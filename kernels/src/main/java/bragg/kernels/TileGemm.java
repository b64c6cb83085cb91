package bragg.kernels;

/**
 * The one small matrix product {@link JavaFlashAttention} is built from:
 * C[M, N] (+)= A[M, K] . B[K, N], all row-major (the "NN" form: the loop over N reads B and C
 * along contiguous rows, which is what SIMD lanes need). Every product in flash attention fits
 * it once the streamed tile is kept in the right orientation (scores: Q . K^T with K^T stored;
 * outputs: P . V with V stored as rows).
 *
 * <p>Two implementations; {@link JavaFlashAttention} takes SIMD whenever the JVM has it:
 * <pre>
 *   SIMD    {@link VectorTileGemm}: jdk.incubator.vector FloatVector, 4 rows x 2 vectors of C
 *           in registers, one fused multiply-add per lane; needs the JVM flag
 *           --add-modules=jdk.incubator.vector (in the root pom's bragg.jvm.opens, so in the
 *           tests and bin/bragg)
 *   scalar  4 x 4 blocks of C in 16 scalar locals (8 loads feed 16 multiply-adds)
 * </pre>
 * Without the module the scalar form runs; {@link #describe} says which, and
 * {@link JavaFlashAttention#backend()} prints it, so a slow run is never a mystery.
 * M must be a multiple of 4 and N a multiple of {@link #COLUMNS} (callers pad with zeros; the
 * padding is the same for both forms, so both run on the same tiles).
 */
final class TileGemm {
    /** True when the Vector API module is in the boot layer (the JVM was started with it). */
    static final boolean SIMD_AVAILABLE = ModuleLayer.boot().findModule("jdk.incubator.vector").isPresent();
    /** N must be a multiple of this: the SIMD lane count (a multiple of 4), or 4 without SIMD. */
    static final int COLUMNS = SIMD_AVAILABLE ? Math.max(4, VectorTileGemm.lanes()) : 4;

    private TileGemm() {
    }

    /** Which implementation runs, for backend strings and logs. */
    static String describe(boolean simd) {
        if (simd) {
            return "simd " + VectorTileGemm.lanes() * 32 + "-bit";
        }
        return SIMD_AVAILABLE ? "scalar" : "scalar: no jdk.incubator.vector (JVM flag --add-modules=jdk.incubator.vector)";
    }

    /** n rounded up to a multiple of {@link #COLUMNS}. */
    static int padColumns(int n) {
        return (n + COLUMNS - 1) / COLUMNS * COLUMNS;
    }

    /**
     * @param simd on {@link VectorTileGemm} (only when {@link #SIMD_AVAILABLE}) or scalar blocks
     * @param a   A, element (r, t) at a[ao + r*lda + t]
     * @param b   B, element (t, col) at b[bo + t*ldb + col]
     * @param c   C, element (r, col) at c[co + r*ldc + col]
     * @param accumulate add to C instead of overwriting it
     */
    static void nn(boolean simd, float[] a, int ao, int lda, float[] b, int bo, int ldb, int m, int n, int k,
                   float[] c, int co, int ldc, boolean accumulate) {
        if (simd) {
            VectorTileGemm.nn(a, ao, lda, b, bo, ldb, m, n, k, c, co, ldc, accumulate);
            return;
        }
        for (int r = 0; r < m; r += 4) {
            for (int col = 0; col < n; col += 4) {
                block(a, ao + r * lda, lda, b, bo + col, ldb, k, c, co + r * ldc + col, ldc, accumulate);
            }
        }
    }

    private static void block(float[] a, int a0, int lda, float[] b, int b0, int ldb, int k,
                              float[] c, int c0, int ldc, boolean accumulate) {
        float c00 = 0, c01 = 0, c02 = 0, c03 = 0, c10 = 0, c11 = 0, c12 = 0, c13 = 0;
        float c20 = 0, c21 = 0, c22 = 0, c23 = 0, c30 = 0, c31 = 0, c32 = 0, c33 = 0;
        final int a1 = a0 + lda, a2 = a1 + lda, a3 = a2 + lda;
        for (int t = 0, bt = b0; t < k; t++, bt += ldb) {
            float x0 = a[a0 + t], x1 = a[a1 + t], x2 = a[a2 + t], x3 = a[a3 + t];
            float y0 = b[bt], y1 = b[bt + 1], y2 = b[bt + 2], y3 = b[bt + 3];
            c00 += x0 * y0; c01 += x0 * y1; c02 += x0 * y2; c03 += x0 * y3;
            c10 += x1 * y0; c11 += x1 * y1; c12 += x1 * y2; c13 += x1 * y3;
            c20 += x2 * y0; c21 += x2 * y1; c22 += x2 * y2; c23 += x2 * y3;
            c30 += x3 * y0; c31 += x3 * y1; c32 += x3 * y2; c33 += x3 * y3;
        }
        int r1 = c0 + ldc, r2 = r1 + ldc, r3 = r2 + ldc;
        if (accumulate) {
            c00 += c[c0]; c01 += c[c0 + 1]; c02 += c[c0 + 2]; c03 += c[c0 + 3];
            c10 += c[r1]; c11 += c[r1 + 1]; c12 += c[r1 + 2]; c13 += c[r1 + 3];
            c20 += c[r2]; c21 += c[r2 + 1]; c22 += c[r2 + 2]; c23 += c[r2 + 3];
            c30 += c[r3]; c31 += c[r3 + 1]; c32 += c[r3 + 2]; c33 += c[r3 + 3];
        }
        c[c0] = c00; c[c0 + 1] = c01; c[c0 + 2] = c02; c[c0 + 3] = c03;
        c[r1] = c10; c[r1 + 1] = c11; c[r1 + 2] = c12; c[r1 + 3] = c13;
        c[r2] = c20; c[r2 + 1] = c21; c[r2 + 2] = c22; c[r2 + 3] = c23;
        c[r3] = c30; c[r3 + 1] = c31; c[r3 + 2] = c32; c[r3 + 3] = c33;
    }

    /**
     * C[M, N] += A . B with A given transposed: element (r, t) of A at at[ao + t*lda + r] (the
     * backward's dQ += dS K, with dS held as dS^T). M a multiple of 4, N of {@link #COLUMNS}.
     */
    static void tnAccumulate(boolean simd, float[] at, int ao, int lda, float[] b, int bo, int ldb, int m, int n,
                             int k, float[] c, int co, int ldc) {
        if (simd) {
            VectorTileGemm.tnAccumulate(at, ao, lda, b, bo, ldb, m, n, k, c, co, ldc);
            return;
        }
        for (int r = 0; r < m; r += 4) {
            for (int col = 0; col < n; col += 4) {
                int c0 = co + r * ldc + col, c1 = c0 + ldc, c2 = c1 + ldc, c3 = c2 + ldc;
                float c00 = c[c0], c01 = c[c0 + 1], c02 = c[c0 + 2], c03 = c[c0 + 3];
                float c10 = c[c1], c11 = c[c1 + 1], c12 = c[c1 + 2], c13 = c[c1 + 3];
                float c20 = c[c2], c21 = c[c2 + 1], c22 = c[c2 + 2], c23 = c[c2 + 3];
                float c30 = c[c3], c31 = c[c3 + 1], c32 = c[c3 + 2], c33 = c[c3 + 3];
                for (int t = 0, a = ao + r, bt = bo + col; t < k; t++, a += lda, bt += ldb) {
                    float x0 = at[a], x1 = at[a + 1], x2 = at[a + 2], x3 = at[a + 3];
                    float y0 = b[bt], y1 = b[bt + 1], y2 = b[bt + 2], y3 = b[bt + 3];
                    c00 += x0 * y0; c01 += x0 * y1; c02 += x0 * y2; c03 += x0 * y3;
                    c10 += x1 * y0; c11 += x1 * y1; c12 += x1 * y2; c13 += x1 * y3;
                    c20 += x2 * y0; c21 += x2 * y1; c22 += x2 * y2; c23 += x2 * y3;
                    c30 += x3 * y0; c31 += x3 * y1; c32 += x3 * y2; c33 += x3 * y3;
                }
                c[c0] = c00; c[c0 + 1] = c01; c[c0 + 2] = c02; c[c0 + 3] = c03;
                c[c1] = c10; c[c1 + 1] = c11; c[c1 + 2] = c12; c[c1 + 3] = c13;
                c[c2] = c20; c[c2 + 1] = c21; c[c2 + 2] = c22; c[c2 + 3] = c23;
                c[c3] = c30; c[c3 + 1] = c31; c[c3 + 2] = c32; c[c3 + 3] = c33;
            }
        }
    }
}
