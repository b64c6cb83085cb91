package bragg.worker.model.layers;

import org.deeplearning4j.nn.api.MaskState;
import org.deeplearning4j.nn.conf.NeuralNetConfiguration;
import org.nd4j.common.primitives.Pair;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.indexing.NDArrayIndex;

/** Implementation of {@link TokenSlice}. */
public class TokenSliceLayer extends BraggLayer<TokenSlice> {
    private long[] inShape; // [B, D, T]

    public TokenSliceLayer(NeuralNetConfiguration conf, DataType dataType) {
        super(conf, dataType);
    }

    @Override
    protected INDArray forward(INDArray x, INDArray mask, boolean training) {
        TokenSlice c = layerConf();
        requireShape(x, "[B, D, T]", -1, c.width(), -1);
        if (x.size(2) < c.to()) {
            throw new IllegalArgumentException(c.describe() + ": keeps tokens [" + c.from() + ", " + c.to()
                    + ") but the input has T = " + x.size(2));
        }
        inShape = x.shape();
        return x.get(NDArrayIndex.all(), NDArrayIndex.all(), NDArrayIndex.interval(c.from(), c.to())).dup('c');
    }

    @Override
    protected INDArray backward(INDArray dOut) {
        INDArray dx = Nd4j.zeros(dOut.dataType(), inShape);
        dx.get(NDArrayIndex.all(), NDArrayIndex.all(), NDArrayIndex.interval(layerConf().from(), layerConf().to())).assign(dOut);
        return dx;
    }

    @Override
    public Pair<INDArray, MaskState> feedForwardMaskArray(INDArray mask, MaskState state, int minibatchSize) {
        this.maskArray = mask;
        this.maskState = state;
        if (mask == null) {
            return new Pair<>(null, state);
        }
        return new Pair<>(mask.get(NDArrayIndex.all(), NDArrayIndex.interval(layerConf().from(), layerConf().to())), state);
    }
}
