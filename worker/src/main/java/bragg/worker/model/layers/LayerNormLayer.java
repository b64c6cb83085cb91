package bragg.worker.model.layers;

import bragg.worker.model.ops.LayerNormOp;
import bragg.worker.model.ops.Tokens;
import org.deeplearning4j.nn.conf.NeuralNetConfiguration;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;

/** Implementation of {@link LayerNorm}: x [B, D, T] or [B, D] to the same shape. */
public class LayerNormLayer extends BraggLayer<LayerNorm> {
    private final LayerNormOp.Cache cache = new LayerNormOp.Cache();
    private long batch, tokens; // of the last forward; tokens = 0 for [B, D] input

    public LayerNormLayer(NeuralNetConfiguration conf, DataType dataType) {
        super(conf, dataType);
    }

    @Override
    protected INDArray forward(INDArray x, INDArray mask, boolean training) {
        int d = layerConf().width();
        if (x.rank() == 2) {
            requireShape(x, "[B, D]", -1, d);
            batch = x.size(0);
            tokens = 0;
            return LayerNormOp.forward(x, getParam("gamma"), getParam("beta"), cache);
        }
        requireShape(x, "[B, D, T]", -1, d, -1);
        batch = x.size(0);
        tokens = x.size(2);
        INDArray y = LayerNormOp.forward(Tokens.toRows(x), getParam("gamma"), getParam("beta"), cache); // [B*T, D]
        return Tokens.fromRows(y, batch, tokens);
    }

    @Override
    protected INDArray backward(INDArray dOut) {
        INDArray dy = tokens == 0 ? dOut : Tokens.toRows(dOut);                                         // [N, D]
        INDArray dx = LayerNormOp.backward(cache, getParam("gamma"), dy, gradientViews.get("gamma"),
                gradientViews.get("beta"));
        return tokens == 0 ? dx : Tokens.fromRows(dx, batch, tokens);
    }
}
