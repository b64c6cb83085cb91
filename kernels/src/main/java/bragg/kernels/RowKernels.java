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
 * A pass over many rows is split into blocks of rows that the JVM's {@link ComputePool} runs at
 * once (the pool the products and the attention run on, so nothing else competes for the cores);
 * the column sums of a block go to a partial of its own, added up in block order afterwards.
 */
public final class RowKernels {
    /** True when the Vector API forms run (the JVM was started with --add-modules=jdk.incubator.vector). */
    public static final boolean SIMD = TileGemm.SIMD_AVAILABLE;

    private RowKernels() {
    }

    /** Blocks of at least 8 rows over the compute pool, or 1 for a small pass. */
    private static int parts(int n, int w) {
        return ComputePool.parts(n, (long) n * w, 8);
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
        ByteBuffer xl = le(x), yl = le(y);
        ComputePool.blocks(n, parts(n, d), (r0, r1, p) -> {
            if (SIMD) {
                VectorRows.layerNorm(xl, xo, yl, yo, gamma, beta, mean, rstd, r0, r1, d, eps);
            } else {
                ScalarRows.layerNorm(xl, xo, yl, yo, gamma, beta, mean, rstd, r0, r1, d, eps);
            }
        });
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
        ByteBuffer r = res == null ? null : le(res), xl = le(x), dyl = le(dy), dxl = le(dx);
        int parts = parts(n, d);
        float[][] dg = ComputePool.partials(dgamma, parts), db = ComputePool.partials(dbeta, parts);
        ComputePool.blocks(n, parts, (r0, r1, p) -> {
            if (SIMD) {
                VectorRows.layerNormBackward(xl, xo, mean, rstd, gamma, dyl, dyo, dxl, dxo, r, ro, dg[p], db[p], r0, r1, d);
            } else {
                ScalarRows.layerNormBackward(xl, xo, mean, rstd, gamma, dyl, dyo, dxl, dxo, r, ro, dg[p], db[p], r0, r1, d);
            }
        });
        ComputePool.addUp(dg);
        ComputePool.addUp(db);
    }

    /** out [N, D] at oo = y [N, D] at yo + bias [D] (+ res [N, D] at ro, unless res is null); out may be y or res. */
    public static void biasResidual(ByteBuffer y, int yo, float[] bias, ByteBuffer res, int ro, ByteBuffer out, int oo,
                                    int n, int d) {
        ByteBuffer r = res == null ? null : le(res), yl = le(y), ol = le(out);
        ComputePool.blocks(n, parts(n, d), (r0, r1, p) -> {
            if (SIMD) {
                VectorRows.biasResidual(yl, yo, bias, r, ro, ol, oo, r0, r1, d);
            } else {
                ScalarRows.biasResidual(yl, yo, bias, r, ro, ol, oo, r0, r1, d);
            }
        });
    }

    /** u [N, F] at uo += bias [F] (in place, kept for the backward); a [N, F] at ao = gelu(u). */
    public static void biasGelu(ByteBuffer u, int uo, float[] bias, ByteBuffer a, int ao, int n, int f) {
        ByteBuffer ul = le(u), al = le(a);
        ComputePool.blocks(n, parts(n, f), (r0, r1, p) -> {
            if (SIMD) {
                VectorRows.biasGelu(ul, uo, bias, al, ao, r0, r1, f);
            } else {
                ScalarRows.biasGelu(ul, uo, bias, al, ao, r0, r1, f);
            }
        });
    }

    /** da [N, F] at dao *= gelu'(u [N, F] at uo), in place. */
    public static void geluBackward(ByteBuffer u, int uo, ByteBuffer da, int dao, int n, int f) {
        ByteBuffer ul = le(u), dal = le(da);
        ComputePool.blocks(n, parts(n, f), (r0, r1, p) -> {
            if (SIMD) {
                VectorRows.geluBackward(ul, uo, dal, dao, r0, r1, f);
            } else {
                ScalarRows.geluBackward(ul, uo, dal, dao, r0, r1, f);
            }
        });
    }

    /** s [D] += the column sums of x [N, D] at xo (bias gradients). */
    public static void columnSums(ByteBuffer x, int xo, float[] s, int n, int d) {
        ByteBuffer xl = le(x);
        int parts = parts(n, d);
        float[][] sums = ComputePool.partials(s, parts);
        ComputePool.blocks(n, parts, (r0, r1, p) -> {
            if (SIMD) {
                VectorRows.columnSums(xl, xo, sums[p], r0, r1, d);
            } else {
                ScalarRows.columnSums(xl, xo, sums[p], r0, r1, d);
            }
        });
        ComputePool.addUp(sums);
    }
}
