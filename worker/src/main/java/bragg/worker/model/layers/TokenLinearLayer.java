package bragg.worker.model.layers;

import bragg.worker.model.ops.GeluOp;
import bragg.worker.model.ops.LinearOp;
import bragg.worker.model.ops.Tokens;
import org.deeplearning4j.nn.conf.NeuralNetConfiguration;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;

/** Implementation of {@link TokenLinear} on rows [B*T, I] to [B*T, O]. */
public class TokenLinearLayer extends BraggLayer<TokenLinear> {
    private INDArray x, u; // [B*T, I], [B*T, O] pre-activation
    private long batch, tokens;

    public TokenLinearLayer(NeuralNetConfiguration conf, DataType dataType) {
        super(conf, dataType);
    }

    @Override
    protected INDArray forward(INDArray in, INDArray mask, boolean training) {
        requireShape(in, "[B, I, T]", -1, layerConf().inputs(), -1);
        batch = in.size(0);
        tokens = in.size(2);
        x = Tokens.toRows(in);
        u = LinearOp.forward(x, getParam("W"), getParam("b"));
        return Tokens.fromRows(layerConf().gelu() ? GeluOp.forward(u) : u, batch, tokens);
    }

    @Override
    protected INDArray backward(INDArray dOut) {
        INDArray dy = Tokens.toRows(dOut);
        INDArray du = layerConf().gelu() ? GeluOp.backward(u, dy) : dy;
        return Tokens.fromRows(LinearOp.backward(x, getParam("W"), du, gradientViews.get("W"), gradientViews.get("b")),
                batch, tokens);
    }
}
