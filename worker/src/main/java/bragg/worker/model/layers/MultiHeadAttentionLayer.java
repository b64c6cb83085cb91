package bragg.worker.model.layers;

import bragg.worker.model.ops.AttentionOp;
import bragg.worker.model.ops.Tokens;
import org.deeplearning4j.nn.api.MaskState;
import org.deeplearning4j.nn.conf.NeuralNetConfiguration;
import org.nd4j.common.primitives.Pair;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.indexing.NDArrayIndex;

/** Implementation of {@link MultiHeadAttention}. */
public class MultiHeadAttentionLayer extends BraggLayer<MultiHeadAttention> {
    private final AttentionOp.Cache cache = new AttentionOp.Cache();
    private int batch, tq, tk;
    private boolean self;

    public MultiHeadAttentionLayer(NeuralNetConfiguration conf, DataType dataType) {
        super(conf, dataType);
    }

    @Override
    protected INDArray forward(INDArray x, INDArray mask, boolean training) {
        MultiHeadAttention c = layerConf();
        requireShape(x, "[B, D, T]", -1, c.width(), -1);
        batch = (int) x.size(0);
        int t = (int) x.size(2);
        self = c.queryLength() == 0;
        tq = self ? t : c.queryLength();
        tk = self ? t : t - tq;
        if (tk < 1) {
            throw new IllegalArgumentException(c.describe() + ": cross-attention input needs Tq = " + tq
                    + " query tokens followed by at least one key token; found T = " + t);
        }
        INDArray xq, xkv;                                                   // [B*Tq, D], [B*Tk, D]
        if (self) {
            xq = Tokens.toRows(x);
            xkv = xq;
        } else {
            xq = Tokens.toRows(x.get(NDArrayIndex.all(), NDArrayIndex.all(), NDArrayIndex.interval(0, tq)));
            xkv = Tokens.toRows(x.get(NDArrayIndex.all(), NDArrayIndex.all(), NDArrayIndex.interval(tq, t)));
        }
        int[] keyLengths = Tokens.keyLengths(mask, self ? 0 : tq, t, c.describe());
        INDArray y = AttentionOp.forward(xq, xkv, batch, tq, tk, c.heads(), c.causal(), keyLengths, c.device(),
                params(""), cache);                                         // [B*Tq, D]
        return Tokens.fromRows(y, batch, tq);
    }

    @Override
    protected INDArray backward(INDArray dOut) {
        INDArray[] d = AttentionOp.backward(cache, Tokens.toRows(dOut), layerConf().device(), params(""), grads(""));
        if (self) {
            return Tokens.fromRows(d[0].addi(d[1]), batch, tq);
        }
        return Nd4j.concat(2, Tokens.fromRows(d[0], batch, tq), Tokens.fromRows(d[1], batch, tk));
    }

    @Override
    public Pair<INDArray, MaskState> feedForwardMaskArray(INDArray mask, MaskState state, int minibatchSize) {
        this.maskArray = mask;
        this.maskState = state;
        if (mask == null || layerConf().queryLength() == 0) {
            return new Pair<>(mask, state);
        }
        // cross-attention outputs the queries only: their part of the mask
        return new Pair<>(mask.get(NDArrayIndex.all(), NDArrayIndex.interval(0, layerConf().queryLength())), state);
    }
}
