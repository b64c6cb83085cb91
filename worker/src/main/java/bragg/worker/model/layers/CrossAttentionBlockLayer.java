package bragg.worker.model.layers;

import bragg.worker.model.ops.AttentionOp;
import bragg.worker.model.ops.LayerNormOp;
import bragg.worker.model.ops.MlpOp;
import bragg.worker.model.ops.Tokens;
import org.deeplearning4j.nn.conf.NeuralNetConfiguration;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.indexing.NDArrayIndex;

/** Implementation of {@link CrossAttentionBlock}; math on rows [B*Tq, D] and [B*Tk, D]. */
public class CrossAttentionBlockLayer extends BraggLayer<CrossAttentionBlock> {
    private final LayerNormOp.Cache lnq = new LayerNormOp.Cache();
    private final LayerNormOp.Cache lnkv = new LayerNormOp.Cache();
    private final AttentionOp.Cache attn = new AttentionOp.Cache();
    private final LayerNormOp.Cache ln2 = new LayerNormOp.Cache();
    private final MlpOp.Cache mlp = new MlpOp.Cache();
    private int batch, tq, tk;

    public CrossAttentionBlockLayer(NeuralNetConfiguration conf, DataType dataType) {
        super(conf, dataType);
    }

    @Override
    protected INDArray forward(INDArray x, INDArray mask, boolean training) {
        CrossAttentionBlock c = layerConf();
        requireShape(x, "[B, D, Tq + Tk]", -1, c.width(), -1);
        batch = (int) x.size(0);
        int t = (int) x.size(2);
        tq = c.queryLength();
        tk = t - tq;
        if (tk < 1) {
            throw new IllegalArgumentException(c.describe() + ": input needs Tq = " + tq
                    + " query tokens followed by at least one key token; found T = " + t);
        }
        INDArray kvTokens = x.get(NDArrayIndex.all(), NDArrayIndex.all(), NDArrayIndex.interval(tq, t)); // [B, D, Tk]
        INDArray q = Tokens.toRows(x.get(NDArrayIndex.all(), NDArrayIndex.all(), NDArrayIndex.interval(0, tq))); // [B*Tq, D]
        INDArray kv = Tokens.toRows(kvTokens);                                                    // [B*Tk, D]
        int[] keyLengths = Tokens.keyLengths(mask, tq, t, c.describe());
        INDArray hq = LayerNormOp.forward(q, getParam("lnqgamma"), getParam("lnqbeta"), lnq);
        INDArray hkv = LayerNormOp.forward(kv, getParam("lnkvgamma"), getParam("lnkvbeta"), lnkv);
        INDArray q1 = AttentionOp.forward(hq, hkv, batch, tq, tk, c.heads(), false, keyLengths, c.device(),
                params("attn"), attn).addi(q);                                                   // [B*Tq, D]
        INDArray h2 = LayerNormOp.forward(q1, getParam("ln2gamma"), getParam("ln2beta"), ln2);
        INDArray q2 = MlpOp.forward(h2, params("mlp"), mlp).addi(q1);                            // [B*Tq, D]
        return join(Tokens.fromRows(q2, batch, tq), kvTokens);
    }

    @Override
    protected INDArray backward(INDArray dOut) {
        long t = dOut.size(2);
        INDArray dq2 = Tokens.toRows(dOut.get(NDArrayIndex.all(), NDArrayIndex.all(), NDArrayIndex.interval(0, tq)));
        INDArray dkvPass = dOut.get(NDArrayIndex.all(), NDArrayIndex.all(), NDArrayIndex.interval(tq, t)); // [B, D, Tk]
        INDArray dh2 = MlpOp.backward(mlp, dq2, params("mlp"), grads("mlp"));
        INDArray dq1 = LayerNormOp.backward(ln2, getParam("ln2gamma"), dh2, gradientViews.get("ln2gamma"),
                gradientViews.get("ln2beta")).addi(dq2);                                         // [B*Tq, D]
        INDArray[] dh = AttentionOp.backward(attn, dq1, layerConf().device(), params("attn"), grads("attn"));
        INDArray dq = LayerNormOp.backward(lnq, getParam("lnqgamma"), dh[0], gradientViews.get("lnqgamma"),
                gradientViews.get("lnqbeta")).addi(dq1);                                         // [B*Tq, D]
        INDArray dkv = LayerNormOp.backward(lnkv, getParam("lnkvgamma"), dh[1], gradientViews.get("lnkvgamma"),
                gradientViews.get("lnkvbeta"));                                                  // [B*Tk, D]
        return join(Tokens.fromRows(dq, batch, tq), Tokens.fromRows(dkv, batch, tk).addi(dkvPass));
    }

    /** [B, D, Tq] and [B, D, Tk] to [B, D, Tq + Tk], written in place (Nd4j.concat on the last axis is slow). */
    private static INDArray join(INDArray q, INDArray kv) {
        long tq = q.size(2), t = tq + kv.size(2);
        INDArray out = Nd4j.create(q.dataType(), q.size(0), q.size(1), t);
        out.get(NDArrayIndex.all(), NDArrayIndex.all(), NDArrayIndex.interval(0, tq)).assign(q);
        out.get(NDArrayIndex.all(), NDArrayIndex.all(), NDArrayIndex.interval(tq, t)).assign(kv);
        return out;
    }
}
