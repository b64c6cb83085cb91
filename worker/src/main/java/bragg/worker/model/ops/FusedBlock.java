package bragg.worker.model.ops;

import bragg.kernels.AttentionKernel;
import bragg.kernels.AttentionShape;
import bragg.kernels.RowKernels;
import java.nio.ByteBuffer;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * The float32 pre-LN transformer block, forward and backward side by side, as the speed budget
 * of DESIGN.md asks: every product one {@link Gemm} into a buffer that already exists (transposes
 * by flag, never by copy), the element-wise work fused into the passes of {@link RowKernels},
 * attention in the flash kernels. The same math as {@link LayerNormOp}, {@link AttentionOp} and
 * {@link MlpOp}, which remain the plain reference (double networks, and the tests of this class).
 * <pre>
 *   N = B*T rows; legend in {@link Tokens}
 *   forward                                            backward (dy [N, D])
 *   h1 = LN1(x)                 [N, D]  saved           dW2 = a^T dy, db2 = sum dy, da = dy W2^T  [N, F]
 *   q, k, v = h1 W{q,k,v}       [N, D]  scratch         du = da gelu'(u)                          (in da)
 *   qh, kh, vh = heads(+b)      [B, H, T, Dh] saved     dW1 = h2^T du, db1 = sum du, dh2 = du W1^T
 *   oh, lse = flash(qh, kh, vh) [B, H, T, Dh] saved     dx1 = LN2'(dh2) + dy
 *   o = rows(oh)                [N, D]  saved           dWo = o^T dx1, dbo = sum dx1, do = dx1 Wo^T
 *   x1 = o Wo + bo + x          [N, D]  saved           dqh, dkh, dvh = flash'(heads(do))
 *   h2 = LN2(x1)                [N, D]  saved           dq, dk, dv = rows(...), db{q,k,v} = sums
 *   u = h2 W1 + b1              [N, F]  saved           dW{q,k,v} = h1^T d{q,k,v}
 *   a = gelu(u)                 [N, F]  saved           dh1 = dq Wq^T + dk Wk^T + dv Wv^T
 *   y = a W2 + b2 + x1          [N, D]  output          dx = LN1'(dh1) + dx1                     output
 * </pre>
 * "saved" buffers live in the layer's own {@link Arena} while training (and in the thread's
 * scratch arena for inference, which keeps nothing, y included); "scratch" ones in the thread's scratch arena,
 * which every layer of a replica shares, since no two layers compute at once.
 * Parameter names as {@link bragg.worker.model.layers.TransformerBlock} declares them.
 */
public final class FusedBlock {
    private static final ThreadLocal<Arena> SCRATCH = ThreadLocal.withInitial(Arena::new);
    /** The scratch of an inference batch's shorter last chunk. */
    private static final ThreadLocal<Arena> TAIL = ThreadLocal.withInitial(Arena::new);
    /**
     * Rows an inference chunk computes at once: products of 4096 rows still run at full speed,
     * and the scratch stays bounded by the chunk (about 115 MB at size s) whatever the batch.
     */
    public static final int INFERENCE_CHUNK_ROWS = 4096;
    private static final float EPS = (float) LayerNormOp.EPS;
    private static final String[] QKV = {"q", "k", "v"};

    private final Arena own = new Arena();
    private INDArray x, h1, o, x1, h2, u, a;  // saved rows, see the table
    private float[] qh, kh, vh, oh, lse;       // saved heads
    private float[] mean1, rstd1, mean2, rstd2; // [N]
    private AttentionShape shape;
    private int d, f;

    /** The scratch arena of the calling thread (shared by every fused layer the thread runs). */
    public static Arena scratch() {
        return SCRATCH.get();
    }

    /**
     * @param xRows      [N, D] input rows (kept, unchanged, until {@link #backward})
     * @param keyLengths [B] or null
     * @return y [N, D], valid until the next forward of this block
     */
    public INDArray forward(INDArray xRows, int batch, int tokens, int heads, boolean causal, int[] keyLengths,
                            AttentionKernel kernel, Params p, boolean training) {
        if (training) {
            return forward(xRows, batch, tokens, heads, causal, keyLengths, kernel, p, own, scratch(),
                    own.rows("y", (long) batch * tokens, xRows.size(1)));
        }
        // Inference keeps nothing, so it runs in chunks of whole samples (attention mixes tokens
        // only within a sample): the scratch is sized by the chunk, not by the batch (size s at
        // batch 256: about 460 MB of per-batch buffers down to about 115 MB). Every block's
        // output shares one scratch buffer: block i+1 reads a chunk of its input (block i's
        // output) for the last time before its W2 product overwrites the same rows.
        INDArray y = scratch().rows("block-y", (long) batch * tokens, xRows.size(1));
        int chunk = Math.max(1, Math.min(batch, INFERENCE_CHUNK_ROWS / tokens));
        for (int b0 = 0; b0 < batch; b0 += chunk) {
            int nb = Math.min(chunk, batch - b0);
            // a shorter last chunk computes in an arena of its own: heap buffers have exact
            // lengths, so sharing one arena would reallocate them twice per batch
            Arena tmp = nb == chunk ? scratch() : TAIL.get();
            int[] lengths = keyLengths == null ? null : java.util.Arrays.copyOfRange(keyLengths, b0, b0 + nb);
            forward(rowRange(xRows, b0 * tokens, nb * tokens), nb, tokens, heads, causal, lengths, kernel, p, tmp, tmp,
                    rowRange(y, b0 * tokens, nb * tokens));
        }
        return y;
    }

    /** Rows [r0, r0 + n) of a row-major [N, c] array, as a view. */
    private static INDArray rowRange(INDArray rows, long r0, long n) {
        return rows.get(org.nd4j.linalg.indexing.NDArrayIndex.interval(r0, r0 + n),
                org.nd4j.linalg.indexing.NDArrayIndex.all());
    }

    /** One pass over {@code batch} samples; {@code y} may be the rows of {@code xRows} (inference). */
    private INDArray forward(INDArray xRows, int batch, int tokens, int heads, boolean causal, int[] keyLengths,
                             AttentionKernel kernel, Params p, Arena keep, Arena tmp, INDArray y) {
        int n = batch * tokens;
        d = (int) xRows.size(1);
        f = (int) p.get("mlpW1").size(1);
        x = xRows;
        h1 = keep.rows("h1", n, d);
        mean1 = keep.floats("mean1", n);
        rstd1 = keep.floats("rstd1", n);
        RowKernels.layerNorm(bytes(x), off(x), bytes(h1), off(h1), vec(p, "ln1gamma", d), vec(p, "ln1beta", d),
                mean1, rstd1, n, d, EPS);

        shape = AttentionShape.builder().batch(batch).heads(heads).queryLength(tokens).keyLength(tokens)
                .headDim(d / heads).causal(causal).keyLengths(keyLengths).build();
        INDArray proj = tmp.rows("proj", n, d);
        qh = keep.floats("qh", n * d);
        kh = keep.floats("kh", n * d);
        vh = keep.floats("vh", n * d);
        float[][] qkv = {qh, kh, vh};
        for (int i = 0; i < 3; i++) {
            Gemm.gemm(h1, false, p.get("attnW" + QKV[i]), false, proj, 0f);
            HeadRows.toHeads(proj, vec(p, "attnb" + QKV[i], d), qkv[i], batch, tokens, heads);
        }
        oh = keep.floats("oh", n * d);
        lse = keep.floats("lse", shape.rows());
        kernel.forward(shape, qh, kh, vh, oh, lse);
        o = keep.rows("o", n, d);
        HeadRows.fromHeads(oh, o, null, batch, tokens, heads);

        x1 = keep.rows("x1", n, d);
        Gemm.gemm(o, false, p.get("attnWo"), false, x1, 0f);
        RowKernels.biasResidual(bytes(x1), off(x1), vec(p, "attnbo", d), bytes(x), off(x), bytes(x1), off(x1), n, d);
        h2 = keep.rows("h2", n, d);
        mean2 = keep.floats("mean2", n);
        rstd2 = keep.floats("rstd2", n);
        RowKernels.layerNorm(bytes(x1), off(x1), bytes(h2), off(h2), vec(p, "ln2gamma", d), vec(p, "ln2beta", d),
                mean2, rstd2, n, d, EPS);
        u = keep.rows("u", n, f);
        a = keep.rows("a", n, f);
        Gemm.gemm(h2, false, p.get("mlpW1"), false, u, 0f);
        RowKernels.biasGelu(bytes(u), off(u), vec(p, "mlpb1", f), bytes(a), off(a), n, f);
        Gemm.gemm(a, false, p.get("mlpW2"), false, y, 0f);
        RowKernels.biasResidual(bytes(y), off(y), vec(p, "mlpb2", d), bytes(x1), off(x1), bytes(y), off(y), n, d);
        return y;
    }

    /**
     * Writes every parameter gradient into {@code g} (overwriting); returns dx [N, D], valid until
     * the next backward of this block.
     */
    public INDArray backward(INDArray dy, AttentionKernel kernel, Params p, Params g) {
        Arena tmp = scratch();
        int n = (int) dy.size(0), b = shape.batch, t = shape.queryLength, h = shape.heads;

        INDArray da = tmp.rows("da", n, f);
        Gemm.gemm(a, true, dy, false, g.get("mlpW2"), 0f);
        sums(dy, g.get("mlpb2"), tmp, d);
        Gemm.gemm(dy, false, p.get("mlpW2"), true, da, 0f);
        RowKernels.geluBackward(bytes(u), off(u), bytes(da), off(da), n, f);
        Gemm.gemm(h2, true, da, false, g.get("mlpW1"), 0f);
        sums(da, g.get("mlpb1"), tmp, f);
        INDArray dh = tmp.rows("dh", n, d);
        Gemm.gemm(da, false, p.get("mlpW1"), true, dh, 0f);
        INDArray dx1 = tmp.rows("dx1", n, d);
        layerNormBackward(x1, mean2, rstd2, "ln2", dh, dx1, dy, p, g, tmp);

        Gemm.gemm(o, true, dx1, false, g.get("attnWo"), 0f);
        sums(dx1, g.get("attnbo"), tmp, d);
        Gemm.gemm(dx1, false, p.get("attnWo"), true, dh, 0f);
        float[] dOh = tmp.floats("dOh", n * d);
        HeadRows.toHeads(dh, null, dOh, b, t, h);
        float[] dqh = tmp.floats("dqh", n * d), dkh = tmp.floats("dkh", n * d), dvh = tmp.floats("dvh", n * d);
        kernel.backward(shape, qh, kh, vh, oh, lse, dOh, dqh, dkh, dvh);

        INDArray dh1 = tmp.rows("dh1", n, d);
        INDArray dProj = tmp.rows("proj", n, d);
        float[] db = tmp.floats("db", d);
        float[][] dqkv = {dqh, dkh, dvh};
        for (int i = 0; i < 3; i++) {
            java.util.Arrays.fill(db, 0f);
            HeadRows.fromHeads(dqkv[i], dProj, db, b, t, h);
            Tokens.write(g.get("attnb" + QKV[i]), db);
            Gemm.gemm(h1, true, dProj, false, g.get("attnW" + QKV[i]), 0f);
            Gemm.gemm(dProj, false, p.get("attnW" + QKV[i]), true, dh1, i == 0 ? 0f : 1f); // dh1 = sum of three
        }
        INDArray dx = own.rows("dx", n, d);
        layerNormBackward(x, mean1, rstd1, "ln1", dh1, dx, dx1, p, g, tmp);
        return dx;
    }

    /** dx = LN'(dh) + res, with the layer norm's two gradients written into g. */
    private void layerNormBackward(INDArray in, float[] mean, float[] rstd, String ln, INDArray dh, INDArray dx,
                                   INDArray res, Params p, Params g, Arena tmp) {
        int n = (int) dh.size(0);
        float[] dgamma = tmp.floats("dgamma", d), dbeta = tmp.floats("dbeta", d);
        java.util.Arrays.fill(dgamma, 0f);
        java.util.Arrays.fill(dbeta, 0f);
        RowKernels.layerNormBackward(bytes(in), off(in), mean, rstd, vec(p, ln + "gamma", d), bytes(dh), off(dh),
                bytes(dx), off(dx), bytes(res), off(res), dgamma, dbeta, n, d);
        Tokens.write(g.get(ln + "gamma"), dgamma);
        Tokens.write(g.get(ln + "beta"), dbeta);
    }

    /** The column sums of rows [N, c] written into the bias gradient {@code into}. */
    private static void sums(INDArray rows, INDArray into, Arena tmp, int c) {
        float[] s = tmp.floats("sums" + c, c);
        java.util.Arrays.fill(s, 0f);
        RowKernels.columnSums(bytes(rows), off(rows), s, (int) rows.size(0), c);
        Tokens.write(into, s);
    }

    /** A small parameter vector (gamma, beta, a bias) read into this block's own copy. */
    private float[] vec(Params p, String name, int length) {
        return Tokens.read(p.get(name), own.floats("p:" + name, length));
    }

    private static ByteBuffer bytes(INDArray a) {
        return Arena.bytes(a);
    }

    private static int off(INDArray a) {
        return Arena.off(a);
    }
}
