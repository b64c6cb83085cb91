package bragg.worker.model.ops;

import bragg.kernels.AttentionKernel;
import bragg.kernels.AttentionShape;
import bragg.kernels.ReferenceAttention;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * Multi-head attention on rows: projections, the kernels' scaled dot-product attention, output
 * projection. The attention itself is always a kernels/ call: the configured float32
 * {@link AttentionKernel} for FLOAT networks, and {@link ReferenceAttention}'s double[] API for
 * DOUBLE networks (gradient checks), which is the same math without float32 rounding.
 * <pre>
 *   q = xq Wq + bq  [B*Tq, D]    k = xkv Wk + bk  [B*Tk, D]    v = xkv Wv + bv  [B*Tk, D]
 *   o = attention(q, k, v) per head, heads [B, H, Tq, Dh] -> rows [B*Tq, D]
 *   y = o Wo + bo  [B*Tq, D]
 *   backward: dWo, dbo, do = dy Wo^T; kernel backward gives dq, dk, dv;
 *             dxq = dq Wq^T;  dxkv = dk Wk^T + dv Wv^T   (self-attention: dx = dxq + dxkv)
 * </pre>
 * Parameter names (under the caller's prefix): Wq, bq, Wk, bk, Wv, bv, Wo [D, D] and b* [D].
 */
public final class AttentionOp {
    private static final ReferenceAttention DOUBLE_REFERENCE = new ReferenceAttention();

    /** What backward needs from forward. */
    public static final class Cache {
        INDArray xq, xkv;      // [B*Tq, D], [B*Tk, D]
        INDArray oRows;        // [B*Tq, D]
        AttentionShape shape;
        float[] qf, kf, vf, of, lsef; // FLOAT: heads [B, H, T, Dh] and lse [B, H, Tq]
        double[] qd, kd, vd;          // DOUBLE: heads [B, H, T, Dh]
    }

    private AttentionOp() {
    }

    /**
     * @param xq         [B*Tq, D] query rows
     * @param xkv        [B*Tk, D] key/value rows (the same array as xq for self-attention)
     * @param keyLengths [B] valid keys per item, or null
     * @return y [B*Tq, D]
     */
    public static INDArray forward(INDArray xq, INDArray xkv, int batch, int tq, int tk, int heads, boolean causal,
                                   int[] keyLengths, String device, Params p, Cache c) {
        int d = (int) xq.size(1);
        int dh = d / heads;
        INDArray q = LinearOp.forward(xq, p.get("Wq"), p.get("bq"));   // [B*Tq, D]
        INDArray k = LinearOp.forward(xkv, p.get("Wk"), p.get("bk"));  // [B*Tk, D]
        INDArray v = LinearOp.forward(xkv, p.get("Wv"), p.get("bv"));  // [B*Tk, D]
        AttentionShape s = AttentionShape.builder().batch(batch).heads(heads).queryLength(tq).keyLength(tk)
                .headDim(dh).causal(causal).keyLengths(keyLengths).build();
        INDArray oHeads;                                               // [B, H, Tq, Dh]
        if (xq.dataType() == DataType.DOUBLE) {
            c.qd = Tokens.doubles(Tokens.toHeads(q, batch, tq, heads));
            c.kd = Tokens.doubles(Tokens.toHeads(k, batch, tk, heads));
            c.vd = Tokens.doubles(Tokens.toHeads(v, batch, tk, heads));
            double[] o = new double[s.queryElements()];
            DOUBLE_REFERENCE.forward(s, c.qd, c.kd, c.vd, o, new double[s.rows()]);
            oHeads = Tokens.of(o, batch, heads, tq, dh);
        } else {
            c.qf = Tokens.floats(Tokens.toHeads(q, batch, tq, heads));
            c.kf = Tokens.floats(Tokens.toHeads(k, batch, tk, heads));
            c.vf = Tokens.floats(Tokens.toHeads(v, batch, tk, heads));
            c.of = new float[s.queryElements()];
            c.lsef = new float[s.rows()];
            KernelProvider.forThread(device).forward(s, c.qf, c.kf, c.vf, c.of, c.lsef);
            oHeads = Tokens.of(c.of, batch, heads, tq, dh).castTo(xq.dataType());
        }
        c.xq = xq;
        c.xkv = xkv;
        c.shape = s;
        c.oRows = Tokens.fromHeads(oHeads);
        return LinearOp.forward(c.oRows, p.get("Wo"), p.get("bo"));
    }

    /**
     * Writes the gradients of all eight parameters into {@code g}; returns {dxq [B*Tq, D], dxkv [B*Tk, D]}.
     */
    public static INDArray[] backward(Cache c, INDArray dy, String device, Params p, Params g) {
        AttentionShape s = c.shape;
        int b = s.batch, h = s.heads, tq = s.queryLength, tk = s.keyLength, dh = s.headDim;
        INDArray dORows = LinearOp.backward(c.oRows, p.get("Wo"), dy, g.get("Wo"), g.get("bo")); // [B*Tq, D]
        INDArray dOHeads = Tokens.toHeads(dORows, b, tq, h);                                      // [B, H, Tq, Dh]
        INDArray dq, dk, dv;                                                                      // heads
        if (dy.dataType() == DataType.DOUBLE) {
            double[] gq = new double[s.queryElements()], gk = new double[s.keyElements()], gv = new double[s.keyElements()];
            DOUBLE_REFERENCE.backward(s, c.qd, c.kd, c.vd, Tokens.doubles(dOHeads), gq, gk, gv);
            dq = Tokens.of(gq, b, h, tq, dh);
            dk = Tokens.of(gk, b, h, tk, dh);
            dv = Tokens.of(gv, b, h, tk, dh);
        } else {
            float[] gq = new float[s.queryElements()], gk = new float[s.keyElements()], gv = new float[s.keyElements()];
            KernelProvider.forThread(device).backward(s, c.qf, c.kf, c.vf, c.of, c.lsef, Tokens.floats(dOHeads), gq, gk, gv);
            DataType t = dy.dataType();
            dq = Tokens.of(gq, b, h, tq, dh).castTo(t);
            dk = Tokens.of(gk, b, h, tk, dh).castTo(t);
            dv = Tokens.of(gv, b, h, tk, dh).castTo(t);
        }
        INDArray dxq = LinearOp.backward(c.xq, p.get("Wq"), Tokens.fromHeads(dq), g.get("Wq"), g.get("bq"));
        INDArray dxkv = LinearOp.backward(c.xkv, p.get("Wk"), Tokens.fromHeads(dk), g.get("Wk"), g.get("bk"));
        dxkv.addi(LinearOp.backward(c.xkv, p.get("Wv"), Tokens.fromHeads(dv), g.get("Wv"), g.get("bv")));
        return new INDArray[]{dxq, dxkv};
    }
}
