package bragg.worker.model.layers;

import bragg.worker.model.ops.AttentionOp;
import bragg.worker.model.ops.FusedBlock;
import bragg.worker.model.ops.KernelProvider;
import bragg.worker.model.ops.LayerNormOp;
import bragg.worker.model.ops.MlpOp;
import bragg.worker.model.ops.Tokens;
import org.deeplearning4j.nn.conf.NeuralNetConfiguration;
import org.nd4j.linalg.api.buffer.DataType;
import org.deeplearning4j.nn.api.MaskState;
import org.nd4j.common.primitives.Pair;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.indexing.NDArrayIndex;

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
    private int batch, tokens, outputs;

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
        outputs = c.outputTokens() > 0 ? c.outputTokens() : tokens;
        if (outputs > tokens) {
            throw new IllegalArgumentException(c.describe() + ": outputTokens " + outputs
                    + " needs at least that many input tokens; found T = " + tokens);
        }
        int[] keyLengths = Tokens.keyLengths(mask, 0, tokens, c.describe());
        if (fusedOutputs()) {
            INDArray rows = Tokens.rowsOf(x, fusedArena(), "in");
            INDArray y = fused.forward(rows, batch, tokens, outputs, c.heads(), c.causal(), keyLengths,
                    KernelProvider.forThread(c.device()), params(""), training);
            return Tokens.tokensView(y, batch, outputs);
        }
        INDArray r = Tokens.toRows(x);                                                     // [B*T, D]
        INDArray h1 = LayerNormOp.forward(r, getParam("ln1gamma"), getParam("ln1beta"), ln1);
        INDArray h1q = outputs == tokens ? h1 : Tokens.leading(h1, batch, tokens, outputs, null); // [B*Q, D]
        INDArray rq = outputs == tokens ? r : Tokens.leading(r, batch, tokens, outputs, null);
        INDArray x1 = AttentionOp.forward(h1q, h1, batch, outputs, tokens, c.heads(), c.causal(), keyLengths,
                c.device(), params("attn"), attn).addi(rq);                               // [B*Q, D]
        INDArray h2 = LayerNormOp.forward(x1, getParam("ln2gamma"), getParam("ln2beta"), ln2);
        INDArray y = MlpOp.forward(h2, params("mlp"), mlp).addi(x1);                      // [B*Q, D]
        return Tokens.fromRows(y, batch, outputs);
    }

    @Override
    protected INDArray backward(INDArray dOut) {
        if (fusedOutputs()) {
            INDArray dy = Tokens.rowsOf(dOut, fusedArena(), "dOut");
            INDArray dx = fused.backward(dy, KernelProvider.forThread(layerConf().device()), params(""), grads(""));
            return Tokens.tokensView(dx, batch, tokens);
        }
        INDArray dy = Tokens.toRows(dOut);                                                 // [B*Q, D]
        INDArray dh2 = MlpOp.backward(mlp, dy, params("mlp"), grads("mlp"));
        INDArray dx1 = LayerNormOp.backward(ln2, getParam("ln2gamma"), dh2, gradientViews.get("ln2gamma"),
                gradientViews.get("ln2beta")).addi(dy);                                   // [B*Q, D]
        INDArray[] dh1 = AttentionOp.backward(attn, dx1, layerConf().device(), params("attn"), grads("attn"));
        INDArray dsum = dh1[1];                                                            // [B*T, D]
        INDArray res = dx1;
        if (outputs == tokens) {
            dsum.addi(dh1[0]);
        } else {
            Tokens.addLeading(dh1[0], dsum, batch, tokens, outputs);
            res = Nd4j.zeros(dx1.dataType(), (long) batch * tokens, dx1.size(1));
            Tokens.addLeading(dx1, res, batch, tokens, outputs);
        }
        INDArray dx = LayerNormOp.backward(ln1, getParam("ln1gamma"), dsum,
                gradientViews.get("ln1gamma"), gradientViews.get("ln1beta")).addi(res);
        return Tokens.fromRows(dx, batch, tokens);
    }

    @Override
    public Pair<INDArray, MaskState> feedForwardMaskArray(INDArray mask, MaskState state, int minibatchSize) {
        this.maskArray = mask;
        this.maskState = state;
        int q = layerConf().outputTokens();
        if (mask == null || q == 0) {
            return new Pair<>(mask, state);
        }
        // the block outputs the leading Q tokens only: their part of the mask
        return new Pair<>(mask.get(NDArrayIndex.all(), NDArrayIndex.interval(0, q)), state);
    }
}
