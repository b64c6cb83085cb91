package bragg.worker.model.layers;

import bragg.worker.model.ops.Tokens;
import org.deeplearning4j.nn.api.MaskState;
import org.deeplearning4j.nn.conf.NeuralNetConfiguration;
import org.nd4j.common.primitives.Pair;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Broadcast;
import org.nd4j.linalg.indexing.NDArrayIndex;

/**
 * Implementation of {@link TokenPooling}. Float networks keep a token by row copies (rows in,
 * [B, D] out, no permute); MEAN pooling and double networks run the reference below.
 */
public class TokenPoolingLayer extends BraggLayer<TokenPooling> {
    private INDArray weights; // [B, T] MEAN: mask / count per item
    private long[] inShape;   // [B, D, T]

    public TokenPoolingLayer(NeuralNetConfiguration conf, DataType dataType) {
        super(conf, dataType);
    }

    @Override
    protected boolean fusedOutputs() {
        return dataType == DataType.FLOAT && layerConf().mode() != TokenPooling.Mode.MEAN;
    }

    @Override
    protected INDArray forward(INDArray x, INDArray mask, boolean training) {
        requireShape(x, "[B, D, T]", -1, layerConf().width(), -1);
        inShape = x.shape();
        if (fusedOutputs()) {
            int t = layerConf().token(), b = (int) x.size(0), d = (int) x.size(1), tt = (int) x.size(2);
            if (t >= tt) {
                throw new IllegalArgumentException(layerConf().describe() + ": keeps token " + t + " but the input has T = " + tt);
            }
            INDArray rows = Tokens.rowsOf(x, fusedArena(), "in");
            INDArray y = fusedArena().rows("y", b, d);                                             // [B, D]
            float[] row = fusedArena().floats("row", d);
            java.nio.FloatBuffer src = rows.data().asNioFloat(), dst = y.data().asNioFloat();
            for (int i = 0; i < b; i++) {
                src.get(Math.toIntExact(rows.offset()) + (i * tt + t) * d, row, 0, d);
                dst.put(i * d, row, 0, d);
            }
            return y;
        }
        if (layerConf().mode() != TokenPooling.Mode.MEAN) {
            int t = layerConf().token();
            if (t >= x.size(2)) {
                throw new IllegalArgumentException(layerConf().describe() + ": keeps token " + t + " but the input has T = "
                        + x.size(2));
            }
            return x.get(NDArrayIndex.all(), NDArrayIndex.all(), NDArrayIndex.point(t)).dup('c');   // [B, D]
        }
        INDArray m = mask == null ? x.get(NDArrayIndex.all(), NDArrayIndex.point(0), NDArrayIndex.all()).ulike().assign(1)
                : mask.castTo(x.dataType());                                                       // [B, T]
        INDArray count = m.sum(true, 1);                                                           // [B, 1]
        if (count.minNumber().doubleValue() == 0) {
            throw new IllegalArgumentException(layerConf().describe() + ": an item has no real token (all-zero mask row)");
        }
        weights = m.divColumnVector(count);                                                        // [B, T]
        INDArray weighted = Broadcast.mul(x, weights, x.ulike(), 0, 2);                           // [B, D, T]
        return weighted.sum(2);                                                                    // [B, D]
    }

    @Override
    protected INDArray backward(INDArray dOut) {
        if (fusedOutputs()) {
            int t = layerConf().token(), b = (int) inShape[0], d = (int) inShape[1], tt = (int) inShape[2];
            INDArray dx = fusedArena().rows("dx", (long) b * tt, d);                               // rows [B*T, D]
            dx.assign(0);
            float[] row = fusedArena().floats("row", d);
            INDArray g = dOut.ordering() == 'c' && dOut.elementWiseStride() == 1 ? dOut : dOut.dup('c');
            java.nio.FloatBuffer src = g.data().asNioFloat(), dst = dx.data().asNioFloat();
            for (int i = 0; i < b; i++) {
                src.get(Math.toIntExact(g.offset()) + i * d, row, 0, d);
                dst.put((i * tt + t) * d, row, 0, d);
            }
            return Tokens.tokensView(dx, b, tt);
        }
        INDArray dx = org.nd4j.linalg.factory.Nd4j.zeros(dOut.dataType(), inShape);                // [B, D, T]
        if (layerConf().mode() != TokenPooling.Mode.MEAN) {
            dx.get(NDArrayIndex.all(), NDArrayIndex.all(), NDArrayIndex.point(layerConf().token())).assign(dOut);
            return dx;
        }
        Broadcast.add(dx, dOut, dx, 0, 1);                                                         // dOut on every t
        return Broadcast.mul(dx, weights, dx, 0, 2);
    }

    @Override
    public Pair<INDArray, MaskState> feedForwardMaskArray(INDArray mask, MaskState state, int minibatchSize) {
        this.maskArray = mask;
        this.maskState = state;
        return new Pair<>(null, null); // one vector per item: nothing left to mask
    }
}
