package bragg.worker.model.layers;

import org.deeplearning4j.nn.conf.NeuralNetConfiguration;
import org.deeplearning4j.nn.gradient.DefaultGradient;
import org.deeplearning4j.nn.gradient.Gradient;
import org.deeplearning4j.nn.layers.BaseLayer;
import org.deeplearning4j.nn.workspace.ArrayType;
import org.deeplearning4j.nn.workspace.LayerWorkspaceMgr;
import org.nd4j.common.primitives.Pair;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.memory.MemoryWorkspace;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

import java.util.Arrays;

/**
 * Base of the implementation half of every bragg layer: subclasses write {@link #forward} and
 * {@link #backward} side by side; this class does DL4J's bookkeeping.
 *
 * <p>Workspaces: the forward keeps what its backward needs (the caches of the ops) in fields.
 * DL4J's per-layer working-memory workspaces are reset between forward and backward, so the
 * layer's own math runs scoped out of workspaces (plain arrays, freed by the GC), and only the
 * result crosses into DL4J's memory: the output is copied into the manager's ACTIVATIONS
 * workspace and the input gradient into ACTIVATION_GRAD ({@code workspaceMgr.dup}). This is
 * correct under every workspace mode (ENABLED or NONE) at the price of one copy per layer.
 *
 * <p>Gradients are written into the layer's gradient views (slices of DL4J's flat gradient), and
 * returned as DL4J's Gradient keyed by the same names, in flat order.
 */
public abstract class BraggLayer<C extends BraggLayerConf> extends BaseLayer<C> {

    protected BraggLayer(NeuralNetConfiguration conf, DataType dataType) {
        super(conf, dataType);
    }

    /**
     * The layer's output from {@code x}, remembering what {@link #backward} needs.
     *
     * @param mask DL4J's feature mask [B, T] for token inputs (1 = real token), or null
     */
    protected abstract INDArray forward(INDArray x, INDArray mask, boolean training);

    /** Writes every parameter gradient into {@link #grads()}; returns the input gradient. */
    protected abstract INDArray backward(INDArray dOut);

    /**
     * True when {@link #forward} and {@link #backward} return buffers the layer owns and keeps
     * (the fused float32 path): they are handed to DL4J as they are, without the copy into its
     * workspaces, and stay valid until the layer's next forward (or backward). Such layers hand
     * tokens on as {@link bragg.worker.model.ops.Tokens#tokensView row-major views}, which the next
     * fused layer reads without a copy.
     */
    protected boolean fusedOutputs() {
        return false;
    }

    /** This layer's buffers for the fused path (inputs copied into row layout, when they come in another). */
    protected bragg.worker.model.ops.Arena fusedArena() {
        if (arena == null) {
            arena = new bragg.worker.model.ops.Arena();
        }
        return arena;
    }

    private bragg.worker.model.ops.Arena arena;
    private BackwardListener backwardListener = BackwardListener.NONE;

    /** Who hears of this layer's backward (the training step's gradient all-reduce); null = nobody. */
    public void setBackwardListener(BackwardListener listener) {
        this.backwardListener = listener == null ? BackwardListener.NONE : listener;
    }

    /** Who hears of this layer's backward now ({@link BackwardListener#NONE}: nobody). */
    public BackwardListener backwardListener() {
        return backwardListener;
    }

    /** Parameter views by name (prefix "" for the whole layer). */
    protected bragg.worker.model.ops.Params params(String prefix) {
        return new bragg.worker.model.ops.Params(params, prefix);
    }

    /** Gradient views by name. */
    protected bragg.worker.model.ops.Params grads(String prefix) {
        return new bragg.worker.model.ops.Params(gradientViews, prefix);
    }

    @Override
    public INDArray activate(boolean training, LayerWorkspaceMgr workspaceMgr) {
        assertInputSet(false);
        INDArray out;
        try (MemoryWorkspace ignored = Nd4j.getWorkspaceManager().scopeOutOfWorkspaces()) {
            out = forward(input, maskArray, training);
        }
        return fusedOutputs() ? out : workspaceMgr.dup(ArrayType.ACTIVATIONS, out);
    }

    @Override
    public Pair<Gradient, INDArray> backpropGradient(INDArray epsilon, LayerWorkspaceMgr workspaceMgr) {
        assertInputSet(true);
        backwardListener.starting(this);
        INDArray dx;
        try (MemoryWorkspace ignored = Nd4j.getWorkspaceManager().scopeOutOfWorkspaces()) {
            dx = backward(epsilon);
        }
        backwardListener.finished(this);   // after backward() wrote every parameter gradient of this layer
        Gradient g = new DefaultGradient(gradientsFlattened);
        for (String key : layerConf().initializer().paramKeys(layerConf())) {
            g.gradientForVariable().put(key, gradientViews.get(key));
        }
        return new Pair<>(g, fusedOutputs() ? dx : workspaceMgr.dup(ArrayType.ACTIVATION_GRAD, dx));
    }

    @Override
    public boolean isPretrainLayer() {
        return false;
    }

    @Override
    public void clearNoiseWeightParams() {
        // no weight noise
    }

    @Override
    public boolean hasBias() {
        return false;
    }

    @Override
    public boolean hasLayerNorm() {
        return false;
    }

    /** Throws naming this layer unless x has the expected rank and the given sizes (-1 = any). */
    protected void requireShape(INDArray x, String legend, long... expected) {
        boolean ok = x.rank() == expected.length;
        for (int i = 0; ok && i < expected.length; i++) {
            ok = expected[i] < 0 || x.size(i) == expected[i];
        }
        if (!ok) {
            throw new IllegalArgumentException(layerConf().describe() + ": expected input " + legend + " = "
                    + Arrays.toString(expected).replace("-1", "any") + ", found " + Arrays.toString(x.shape()));
        }
    }
}
