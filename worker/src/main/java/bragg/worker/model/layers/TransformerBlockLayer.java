package bragg.worker.model.layers;

import bragg.worker.model.ops.AttentionOp;
import bragg.worker.model.ops.FusedBlock;
import bragg.worker.model.ops.KernelProvider;
import bragg.worker.model.ops.LayerNormOp;
import bragg.worker.model.ops.MlpOp;
import bragg.worker.model.ops.Tokens;
import org.deeplearning4j.nn.conf.NeuralNetConfiguration;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * Implementation of {@link TransformerBlock}; all math on rows [B*T, D]. Float networks run the
 * fused block ({@link FusedBlock}: preallocated buffers, BLAS in place, fused element-wise
 * passes); double networks (gradient checks) the plain reference ops below.
 */
public class TransformerBlockLayer extends BraggLayer<TransformerBlock> {
    private final FusedBlock fused = new FusedBlock();
    private final LayerNormOp.Cache ln1 = new LayerNormOp.Cache();
    private final AttentionOp.Cache attn = new AttentionOp.Cache();
    private final LayerNormOp.Cache ln2 = new LayerNormOp.Cache();
    private final MlpOp.Cache mlp = new MlpOp.Cache();
    private int batch, tokens;

    public TransformerBlockLayer(NeuralNetConfiguration conf, DataType dataType) {
        super(conf, dataType);
    }

    @Override
    protected boolean fusedOutputs() {
        return dataType == DataType.FLOAT;
    }

    @Override
    protected INDArray forward(INDArray x, INDArray mask, boolean training) {
        TransformerBlock c = layerConf();
        requireShape(x, "[B, D, T]", -1, c.width(), -1);
        batch = (int) x.size(0);
        tokens = (int) x.size(2);
        int[] keyLengths = Tokens.keyLengths(mask, 0, tokens, c.describe());
        if (fusedOutputs()) {
            INDArray rows = Tokens.rowsOf(x, fusedArena(), "in");
            INDArray y = fused.forward(rows, batch, tokens, c.heads(), c.causal(), keyLengths,
                    KernelProvider.forThread(c.device()), params(""), training);
            return Tokens.tokensView(y, batch, tokens);
        }
        INDArray r = Tokens.toRows(x);                                                     // [B*T, D]
        INDArray h1 = LayerNormOp.forward(r, getParam("ln1gamma"), getParam("ln1beta"), ln1);
        INDArray x1 = AttentionOp.forward(h1, h1, batch, tokens, tokens, c.heads(), c.causal(), keyLengths,
                c.device(), params("attn"), attn).addi(r);                                // [B*T, D]
        INDArray h2 = LayerNormOp.forward(x1, getParam("ln2gamma"), getParam("ln2beta"), ln2);
        INDArray y = MlpOp.forward(h2, params("mlp"), mlp).addi(x1);                      // [B*T, D]
        return Tokens.fromRows(y, batch, tokens);
    }

    @Override
    protected INDArray backward(INDArray dOut) {
        if (fusedOutputs()) {
            INDArray dy = Tokens.rowsOf(dOut, fusedArena(), "dOut");
            INDArray dx = fused.backward(dy, KernelProvider.forThread(layerConf().device()), params(""), grads(""));
            return Tokens.tokensView(dx, batch, tokens);
        }
        INDArray dy = Tokens.toRows(dOut);                                                 // [B*T, D]
        INDArray dh2 = MlpOp.backward(mlp, dy, params("mlp"), grads("mlp"));
        INDArray dx1 = LayerNormOp.backward(ln2, getParam("ln2gamma"), dh2, gradientViews.get("ln2gamma"),
                gradientViews.get("ln2beta")).addi(dy);                                   // [B*T, D]
        INDArray[] dh1 = AttentionOp.backward(attn, dx1, layerConf().device(), params("attn"), grads("attn"));
        INDArray dx = LayerNormOp.backward(ln1, getParam("ln1gamma"), dh1[0].addi(dh1[1]),
                gradientViews.get("ln1gamma"), gradientViews.get("ln1beta")).addi(dx1);
        return Tokens.fromRows(dx, batch, tokens);
    }
}
