package bragg.kernels;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;

/**
 * The element-wise work of a transformer layer, fused and vectorised, on rows of float32 held in
 * native (direct) memory: the memory ND4J's arrays live in, so the layers call these between two
 * BLAS products without copying anything to the Java heap.
 * <pre>
 *   N rows of width D (or F for the MLP's hidden width); row r, column j at element off + r*D + j
 *   of a little-endian ByteBuffer (element offsets, not byte offsets)
 *   layerNorm          y = (x - mean) * rstd * gamma + beta                (mean, rstd [N] kept)
 *   layerNormBackward  dx = rstd (g - mean_D(g) - xhat mean_D(g xhat)) + res,   g = dy gamma
 *                      dgamma += sum_rows dy xhat,  dbeta += sum_rows dy
 *   biasResidual       out = y + bias + res                                (res may be absent)
 *   biasGelu           u += bias; a = gelu(u)      GELU's tanh form (GPT-2, llm.c)
 *   geluBackward       du = da * gelu'(u)          (in place in da)
 *   columnSums         s[j] += sum_rows x[r, j]
 * </pre>
 * Each has a plain scalar form ({@link ScalarRows}, the reference the tests hold the vector form
 * to) and a Vector API form ({@link VectorRows}) used whenever the JVM has jdk.incubator.vector.
 * Every pass is single-threaded: it is called from the replica's own thread between BLAS calls,
 * and costs a small fraction of the products around it (see BENCHMARKS.md, bench train).
 */
public final class RowKernels {
    /** True when the Vector API forms run (the JVM was started with --add-modules=jdk.incubator.vector). */
    public static final boolean SIMD = TileGemm.SIMD_AVAILABLE;

    private RowKernels() {
    }

    /** The buffer, set to little-endian (ND4J's native order on x86-64) for the absolute gets below. */
    static ByteBuffer le(ByteBuffer b) {
        return b.order(ByteOrder.LITTLE_ENDIAN);
    }

    /**
     * @param x     [N, D] input rows at xo
     * @param y     [N, D] written at yo (may be x itself, in place)
     * @param gamma [D]
     * @param beta  [D]
     * @param mean  [N] written
     * @param rstd  [N] written: 1 / sqrt(var + eps)
     */
    public static void layerNorm(ByteBuffer x, int xo, ByteBuffer y, int yo, float[] gamma, float[] beta,
                                 float[] mean, float[] rstd, int n, int d, float eps) {
        if (SIMD) {
            VectorRows.layerNorm(le(x), xo, le(y), yo, gamma, beta, mean, rstd, n, d, eps);
        } else {
            ScalarRows.layerNorm(le(x), xo, le(y), yo, gamma, beta, mean, rstd, n, d, eps);
        }
    }

    /**
     * @param x      [N, D] the forward's input rows at xo; mean, rstd [N] the forward's statistics
     * @param dy     [N, D] gradient of the output at dyo
     * @param dx     [N, D] written at dxo (may be dy itself)
     * @param res    [N, D] added to dx at ro (the residual branch's gradient), or null
     * @param dgamma [D] accumulated
     * @param dbeta  [D] accumulated
     */
    public static void layerNormBackward(ByteBuffer x, int xo, float[] mean, float[] rstd, float[] gamma,
                                         ByteBuffer dy, int dyo, ByteBuffer dx, int dxo, ByteBuffer res, int ro,
                                         float[] dgamma, float[] dbeta, int n, int d) {
        ByteBuffer r = res == null ? null : le(res);
        if (SIMD) {
            VectorRows.layerNormBackward(le(x), xo, mean, rstd, gamma, le(dy), dyo, le(dx), dxo, r, ro, dgamma, dbeta, n, d);
        } else {
            ScalarRows.layerNormBackward(le(x), xo, mean, rstd, gamma, le(dy), dyo, le(dx), dxo, r, ro, dgamma, dbeta, n, d);
        }
    }

    /** out [N, D] at oo = y [N, D] at yo + bias [D] (+ res [N, D] at ro, unless res is null); out may be y or res. */
    public static void biasResidual(ByteBuffer y, int yo, float[] bias, ByteBuffer res, int ro, ByteBuffer out, int oo,
                                    int n, int d) {
        ByteBuffer r = res == null ? null : le(res);
        if (SIMD) {
            VectorRows.biasResidual(le(y), yo, bias, r, ro, le(out), oo, n, d);
        } else {
            ScalarRows.biasResidual(le(y), yo, bias, r, ro, le(out), oo, n, d);
        }
    }

    /** u [N, F] at uo += bias [F] (in place, kept for the backward); a [N, F] at ao = gelu(u). */
    public static void biasGelu(ByteBuffer u, int uo, float[] bias, ByteBuffer a, int ao, int n, int f) {
        if (SIMD) {
            VectorRows.biasGelu(le(u), uo, bias, le(a), ao, n, f);
        } else {
            ScalarRows.biasGelu(le(u), uo, bias, le(a), ao, n, f);
        }
    }

    /** da [N, F] at dao *= gelu'(u [N, F] at uo), in place. */
    public static void geluBackward(ByteBuffer u, int uo, ByteBuffer da, int dao, int n, int f) {
        if (SIMD) {
            VectorRows.geluBackward(le(u), uo, le(da), dao, n, f);
        } else {
            ScalarRows.geluBackward(le(u), uo, le(da), dao, n, f);
        }
    }

    /** s [D] += the column sums of x [N, D] at xo (bias gradients). */
    public static void columnSums(ByteBuffer x, int xo, float[] s, int n, int d) {
        if (SIMD) {
            VectorRows.columnSums(le(x), xo, s, n, d);
        } else {
            ScalarRows.columnSums(le(x), xo, s, n, d);
        }
    }
}
