package bragg.worker.model.layers;

import bragg.kernels.RowKernels;
import bragg.worker.model.ops.Arena;
import bragg.worker.model.ops.LayerNormOp;
import bragg.worker.model.ops.Tokens;
import org.deeplearning4j.nn.conf.NeuralNetConfiguration;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * Implementation of {@link LayerNorm}: x [B, D, T] or [B, D] to the same shape. Float networks
 * run RowKernels' fused passes on rows; double networks the reference {@link LayerNormOp}.
 */
public class LayerNormLayer extends BraggLayer<LayerNorm> {
    private final LayerNormOp.Cache cache = new LayerNormOp.Cache();
    private long batch, tokens; // of the last forward; tokens = 0 for [B, D] input
    private INDArray rowsIn;    // fused path: the forward's input rows [N, D]
    private float[] mean, rstd; // fused path: [N]

    public LayerNormLayer(NeuralNetConfiguration conf, DataType dataType) {
        super(conf, dataType);
    }

    @Override
    protected boolean fusedOutputs() {
        return dataType == DataType.FLOAT;
    }

    @Override
    protected INDArray forward(INDArray x, INDArray mask, boolean training) {
        int d = layerConf().width();
        if (fusedOutputs()) {
            batch = x.size(0);
            tokens = x.rank() == 2 ? 0 : x.size(2);
            if (x.rank() == 2) {
                requireShape(x, "[B, D]", -1, d);
                rowsIn = x.ordering() == 'c' && x.elementWiseStride() == 1 ? x : x.dup('c');
            } else {
                requireShape(x, "[B, D, T]", -1, d, -1);
                rowsIn = Tokens.rowsOf(x, fusedArena(), "in");
            }
            int n = (int) rowsIn.size(0);
            INDArray y = fusedArena().rows("y", n, d);
            mean = fusedArena().floats("mean", n);
            rstd = fusedArena().floats("rstd", n);
            RowKernels.layerNorm(Arena.bytes(rowsIn), Arena.off(rowsIn), Arena.bytes(y), 0,
                    Tokens.read(getParam("gamma"), fusedArena().floats("gamma", d)),
                    Tokens.read(getParam("beta"), fusedArena().floats("beta", d)), mean, rstd, n, d, (float) LayerNormOp.EPS);
            return tokens == 0 ? y : Tokens.tokensView(y, batch, tokens);
        }
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
        if (fusedOutputs()) {
            int d = layerConf().width(), n = (int) rowsIn.size(0);
            INDArray dy = tokens == 0 ? (dOut.ordering() == 'c' && dOut.elementWiseStride() == 1 ? dOut : dOut.dup('c'))
                    : Tokens.rowsOf(dOut, fusedArena(), "dOut");
            INDArray dx = fusedArena().rows("dx", n, d);
            float[] dgamma = fusedArena().floats("dgamma", d), dbeta = fusedArena().floats("dbeta", d);
            java.util.Arrays.fill(dgamma, 0f);
            java.util.Arrays.fill(dbeta, 0f);
            RowKernels.layerNormBackward(Arena.bytes(rowsIn), Arena.off(rowsIn), mean, rstd,
                    Tokens.read(getParam("gamma"), fusedArena().floats("gamma", d)), Arena.bytes(dy), Arena.off(dy),
                    Arena.bytes(dx), 0, null, 0, dgamma, dbeta, n, d);
            Tokens.write(gradientViews.get("gamma"), dgamma);
            Tokens.write(gradientViews.get("beta"), dbeta);
            return tokens == 0 ? dx : Tokens.tokensView(dx, batch, tokens);
        }
        INDArray dy = tokens == 0 ? dOut : Tokens.toRows(dOut);                                         // [N, D]
        INDArray dx = LayerNormOp.backward(cache, getParam("gamma"), dy, gradientViews.get("gamma"),
                gradientViews.get("beta"));
        return tokens == 0 ? dx : Tokens.fromRows(dx, batch, tokens);
    }
}
