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
 *   N = B*T rows; Nq = B*Q rows of the tokens the block outputs (Q = T unless outputTokens > 0,
 *   when xq, h1q are the first Q tokens' rows of x, h1 and lead(.) puts Nq rows back in place,
 *   zeros elsewhere); legend in {@link Tokens}
 *   forward                                            backward (dy [Nq, D])
 *   h1 = LN1(x)                 [N, D]  saved           dW2 = a^T dy, db2 = sum dy, da = dy W2^T  [Nq, F]
 *   k, v = h1 W{k,v}            [N, D]  scratch         du = da gelu'(u)                          (in da)
 *   q = h1q Wq                  [Nq, D] scratch         dW1 = h2^T du, db1 = sum du, dh2 = du W1^T
 *   qh, kh, vh = heads(+b)      [B, H, Q|T, Dh] saved   dx1 = LN2'(dh2) + dy                      [Nq, D]
 *   oh, lse = flash(qh, kh, vh) [B, H, Q, Dh] saved     dWo = o^T dx1, dbo = sum dx1, do = dx1 Wo^T
 *   o = rows(oh)                [Nq, D] saved           dqh, dkh, dvh = flash'(heads(do))
 *   x1 = o Wo + bo + xq         [Nq, D] saved           dq, dk, dv = rows(...), db{q,k,v} = sums
 *   h2 = LN2(x1)                [Nq, D] saved           dWq = h1q^T dq, dW{k,v} = h1^T d{k,v}
 *   u = h2 W1 + b1              [Nq, F] saved           dh1 = lead(dq Wq^T) + dk Wk^T + dv Wv^T   [N, D]
 *   a = gelu(u)                 [Nq, F] saved
 *   y = a W2 + b2 + x1          [Nq, D] output          dx = LN1'(dh1) + lead(dx1)                output
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
    private INDArray x, h1, h1q, o, x1, h2, u, a;  // saved rows, see the table
    private float[] qh, kh, vh, oh, lse;       // saved heads
    private float[] mean1, rstd1, mean2, rstd2; // [N]
    private AttentionShape shape;
    private int d, f, q;

    /** The scratch arena of the calling thread (shared by every fused layer the thread runs). */
    public static Arena scratch() {
        return SCRATCH.get();
    }

    /**
     * @param xRows      [N, D] input rows (kept, unchanged, until {@link #backward})
     * @param keyLengths [B] or null
     * @param outputs    Q, the leading tokens whose outputs are computed (1..T; T = every token)
     * @return y [B*Q, D], valid until the next forward of this block
     */
    public INDArray forward(INDArray xRows, int batch, int tokens, int outputs, int heads, boolean causal,
                            int[] keyLengths, AttentionKernel kernel, Params p, boolean training) {
        if (outputs < 1 || outputs > tokens) {
            throw new IllegalArgumentException("FusedBlock: outputs Q must be 1.." + tokens + " (T); found " + outputs);
        }
        q = outputs;
        if (training) {
            return forward(xRows, batch, tokens, heads, causal, keyLengths, kernel, p, own, scratch(),
                    own.rows("y", (long) batch * q, xRows.size(1)));
        }
        // Inference keeps nothing, so it runs in chunks of whole samples (attention mixes tokens
        // only within a sample): the scratch is sized by the chunk, not by the batch (size s at
        // batch 256: about 460 MB of per-batch buffers down to about 115 MB). Every block's
        // output shares one scratch buffer: block i+1 reads a chunk of its input (block i's
        // output) for the last time before its W2 product overwrites the same rows.
        // A block of fewer outputs writes a buffer of its own (its rows are not its input's rows).
        INDArray y = scratch().rows(q == tokens ? "block-y" : "block-y" + q, (long) batch * q, xRows.size(1));
        int chunk = Math.max(1, Math.min(batch, INFERENCE_CHUNK_ROWS / tokens));
        for (int b0 = 0; b0 < batch; b0 += chunk) {
            int nb = Math.min(chunk, batch - b0);
            // a shorter last chunk computes in an arena of its own: heap buffers have exact
            // lengths, so sharing one arena would reallocate them twice per batch
            Arena tmp = nb == chunk ? scratch() : TAIL.get();
            int[] lengths = keyLengths == null ? null : java.util.Arrays.copyOfRange(keyLengths, b0, b0 + nb);
            forward(rowRange(xRows, b0 * tokens, nb * tokens), nb, tokens, heads, causal, lengths, kernel, p, tmp, tmp,
                    rowRange(y, b0 * q, nb * q));
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
        int n = batch * tokens, nq = batch * q;
        d = (int) xRows.size(1);
        f = (int) p.get("mlpW1").size(1);
        x = xRows;
        h1 = keep.rows("h1", n, d);
        mean1 = keep.floats("mean1", n);
        rstd1 = keep.floats("rstd1", n);
        RowKernels.layerNorm(bytes(x), off(x), bytes(h1), off(h1), vec(p, "ln1gamma", d), vec(p, "ln1beta", d),
                mean1, rstd1, n, d, EPS);

        shape = AttentionShape.builder().batch(batch).heads(heads).queryLength(q).keyLength(tokens)
                .headDim(d / heads).causal(causal).keyLengths(keyLengths).build();
        INDArray proj = tmp.rows("proj", n, d);
        h1q = q == tokens ? h1 : Tokens.leading(h1, batch, tokens, q, keep.rows("h1q", nq, d));
        INDArray xq = q == tokens ? x : Tokens.leading(x, batch, tokens, q, tmp.rows("xq", nq, d));
        qh = keep.floats("qh", nq * d);
        kh = keep.floats("kh", n * d);
        vh = keep.floats("vh", n * d);
        float[][] qkv = {qh, kh, vh};
        for (int i = 0; i < 3; i++) {
            boolean query = i == 0;
            INDArray out = query ? tmp.rows("proj", nq, d) : proj;
            Gemm.gemm(query ? h1q : h1, false, p.get("attnW" + QKV[i]), false, out, 0f);
            HeadRows.toHeads(out, vec(p, "attnb" + QKV[i], d), qkv[i], batch, query ? q : tokens, heads);
        }
        oh = keep.floats("oh", nq * d);
        lse = keep.floats("lse", shape.rows());
        kernel.forward(shape, qh, kh, vh, oh, lse);
        o = keep.rows("o", nq, d);
        HeadRows.fromHeads(oh, o, null, batch, q, heads);

        x1 = keep.rows("x1", nq, d);
        Gemm.gemm(o, false, p.get("attnWo"), false, x1, 0f);
        RowKernels.biasResidual(bytes(x1), off(x1), vec(p, "attnbo", d), bytes(xq), off(xq), bytes(x1), off(x1), nq, d);
        h2 = keep.rows("h2", nq, d);
        mean2 = keep.floats("mean2", nq);
        rstd2 = keep.floats("rstd2", nq);
        RowKernels.layerNorm(bytes(x1), off(x1), bytes(h2), off(h2), vec(p, "ln2gamma", d), vec(p, "ln2beta", d),
                mean2, rstd2, nq, d, EPS);
        u = keep.rows("u", nq, f);
        a = keep.rows("a", nq, f);
        Gemm.gemm(h2, false, p.get("mlpW1"), false, u, 0f);
        RowKernels.biasGelu(bytes(u), off(u), vec(p, "mlpb1", f), bytes(a), off(a), nq, f);
        Gemm.gemm(a, false, p.get("mlpW2"), false, y, 0f);
        RowKernels.biasResidual(bytes(y), off(y), vec(p, "mlpb2", d), bytes(x1), off(x1), bytes(y), off(y), nq, d);
        return y;
    }

    /**
     * Writes every parameter gradient into {@code g} (overwriting); dy [B*Q, D]; returns dx [N, D],
     * valid until the next backward of this block.
     */
    public INDArray backward(INDArray dy, AttentionKernel kernel, Params p, Params g) {
        Arena tmp = scratch();
        int b = shape.batch, t = shape.keyLength, h = shape.heads, n = b * t, nq = (int) dy.size(0);

        INDArray da = tmp.rows("da", nq, f);
        Gemm.gemm(a, true, dy, false, g.get("mlpW2"), 0f);
        sums(dy, g.get("mlpb2"), tmp, d);
        Gemm.gemm(dy, false, p.get("mlpW2"), true, da, 0f);
        RowKernels.geluBackward(bytes(u), off(u), bytes(da), off(da), nq, f);
        Gemm.gemm(h2, true, da, false, g.get("mlpW1"), 0f);
        sums(da, g.get("mlpb1"), tmp, f);
        INDArray dh = tmp.rows("dh", nq, d);
        Gemm.gemm(da, false, p.get("mlpW1"), true, dh, 0f);
        INDArray dx1 = tmp.rows("dx1", nq, d);
        layerNormBackward(x1, mean2, rstd2, "ln2", dh, dx1, dy, p, g, tmp);

        Gemm.gemm(o, true, dx1, false, g.get("attnWo"), 0f);
        sums(dx1, g.get("attnbo"), tmp, d);
        Gemm.gemm(dx1, false, p.get("attnWo"), true, dh, 0f);
        float[] dOh = tmp.floats("dOh", nq * d);
        HeadRows.toHeads(dh, null, dOh, b, q, h);
        float[] dqh = tmp.floats("dqh", nq * d), dkh = tmp.floats("dkh", n * d), dvh = tmp.floats("dvh", n * d);
        kernel.backward(shape, qh, kh, vh, oh, lse, dOh, dqh, dkh, dvh);

        INDArray dh1 = tmp.rows("dh1", n, d);
        float[] db = tmp.floats("db", d);
        float[][] dqkv = {dqh, dkh, dvh};
        // with Q < T, k and v first: their products cover every row of dh1, q's adds to the leading rows
        int first = q == t ? 0 : 1;
        for (int i : q == t ? new int[]{0, 1, 2} : new int[]{1, 2, 0}) {
            boolean query = i == 0;
            int rows = query ? nq : n;
            INDArray dProj = tmp.rows("proj", rows, d);
            java.util.Arrays.fill(db, 0f);
            HeadRows.fromHeads(dqkv[i], dProj, db, b, query ? q : t, h);
            Tokens.write(g.get("attnb" + QKV[i]), db);
            Gemm.gemm(query ? h1q : h1, true, dProj, false, g.get("attnW" + QKV[i]), 0f);
            if (!query || q == t) {
                Gemm.gemm(dProj, false, p.get("attnW" + QKV[i]), true, dh1, i == first ? 0f : 1f); // dh1 = sum of three
            } else {
                INDArray dh1q = tmp.rows("dh1q", nq, d);
                Gemm.gemm(dProj, false, p.get("attnWq"), true, dh1q, 0f);
                Tokens.addLeading(dh1q, dh1, b, t, q);
            }
        }
        INDArray res = dx1;
        if (q < t) {
            res = tmp.rows("dres", n, d).assign(0);
            Tokens.addLeading(dx1, res, b, t, q);
        }
        INDArray dx = own.rows("dx", n, d);
        layerNormBackward(x, mean1, rstd1, "ln1", dh1, dx, res, p, g, tmp);
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
