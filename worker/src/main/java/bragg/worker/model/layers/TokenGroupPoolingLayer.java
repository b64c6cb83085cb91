package bragg.worker.model.layers;

import org.deeplearning4j.nn.api.MaskState;
import org.deeplearning4j.nn.conf.NeuralNetConfiguration;
import org.nd4j.common.primitives.Pair;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;

/** Implementation of {@link TokenGroupPooling}: y[b, d, g] = mean_s x[b, d, g*S + s]. */
public class TokenGroupPoolingLayer extends BraggLayer<TokenGroupPooling> {
    private long batch, groups;

    public TokenGroupPoolingLayer(NeuralNetConfiguration conf, DataType dataType) {
        super(conf, dataType);
    }

    @Override
    protected INDArray forward(INDArray x, INDArray mask, boolean training) {
        TokenGroupPooling c = layerConf();
        requireShape(x, "[B, D, G*S]", -1, c.width(), -1);
        if (x.size(2) % c.groupSize() != 0) {
            throw new IllegalArgumentException(c.describe() + ": T = " + x.size(2)
                    + " tokens is not a whole number of groups of S = " + c.groupSize());
        }
        batch = x.size(0);
        groups = x.size(2) / c.groupSize();
        return x.dup('c').reshape('c', batch, c.width(), groups, c.groupSize()).mean(3);   // [B, D, G]
    }

    @Override
    protected INDArray backward(INDArray dOut) {
        TokenGroupPooling c = layerConf();
        int s = c.groupSize();
        INDArray dx = dOut.dup('c').reshape('c', batch, c.width(), groups, 1).repeat(3, s).divi(s); // [B, D, G, S]
        return dx.reshape('c', batch, c.width(), groups * s);
    }

    @Override
    public Pair<INDArray, MaskState> feedForwardMaskArray(INDArray mask, MaskState state, int minibatchSize) {
        this.maskArray = mask;
        this.maskState = state;
        return new Pair<>(null, null);
    }
}
