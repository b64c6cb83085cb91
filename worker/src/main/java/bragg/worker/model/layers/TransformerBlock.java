package bragg.worker.model.layers;

import bragg.worker.model.ops.KernelProvider;
import org.deeplearning4j.nn.conf.NeuralNetConfiguration;
import org.nd4j.shade.jackson.annotation.JsonProperty;
import org.deeplearning4j.nn.conf.inputs.InputType;
import org.nd4j.linalg.api.buffer.DataType;

import java.util.ArrayList;
import java.util.List;

/**
 * Pre-LN transformer encoder block on tokens [B, D, T] to [B, D, T]:
 * <pre>
 *   x1 = x + MHA(LN1(x))          self-attention, H heads (causal optional, key padding from the mask)
 *   y  = x1 + MLP(LN2(x1))        MLP: D -> F (GELU) -> D
 * </pre>
 * Parameters: ln1gamma, ln1beta [D]; attnWq/Wk/Wv/Wo [D, D], attnb* [D]; ln2gamma, ln2beta [D];
 * mlpW1 [D, F], mlpb1 [F], mlpW2 [F, D], mlpb2 [D]. (No underscores: DL4J splits gradient keys at the last one.).
 *
 * <p>With {@code outputTokens} Q > 0 the block outputs only the first Q tokens, [B, D, Q]: their
 * queries attend over every token's keys and values, and only their rows go on through the
 * output projection, the residuals and the MLP. For a last block whose consumer reads the
 * class token alone (the {@code vit}'s head) this is the same function at a fraction of the
 * block's cost; earlier tokens' outputs would be computed only to be dropped.
 */
public class TransformerBlock extends BraggLayerConf {
    @JsonProperty
    private int width;
    @JsonProperty
    private int heads;
    @JsonProperty
    private int hidden;
    @JsonProperty
    private boolean causal;
    @JsonProperty
    private String device;
    @JsonProperty
    private int outputTokens;

    protected TransformerBlock() {
    }

    private TransformerBlock(Builder b) {
        super(b);
        width = b.width;
        heads = b.heads;
        hidden = b.hidden > 0 ? b.hidden : 4 * b.width;
        causal = b.causal;
        device = b.device;
        outputTokens = b.outputTokens;
    }

    public static Builder builder() {
        return new Builder();
    }

    public int width() { return width; }
    public int heads() { return heads; }
    public int hidden() { return hidden; }
    public boolean causal() { return causal; }
    public String device() { return device; }
    /** Q, the leading tokens the block outputs; 0 = every token. */
    public int outputTokens() { return outputTokens; }

    @Override
    public List<ParamSpec> paramSpecs() {
        List<ParamSpec> s = new ArrayList<>(Specs.layerNorm("ln1", width));
        s.addAll(Specs.attention("attn", width));
        s.addAll(Specs.layerNorm("ln2", width));
        s.addAll(Specs.mlp("mlp", width, hidden));
        return s;
    }

    @Override
    protected BraggLayer<?> createLayer(NeuralNetConfiguration conf, DataType dataType) {
        return new TransformerBlockLayer(conf, dataType);
    }

    @Override
    protected void checkInputType(InputType in) {
        InputType.InputTypeRecurrent r = requireRecurrent(in, width);
        if (outputTokens > 0 && r.getTimeSeriesLength() > 0 && r.getTimeSeriesLength() < outputTokens) {
            throw new IllegalArgumentException(describe() + ": outputTokens " + outputTokens
                    + " needs at least that many input tokens; found T = " + r.getTimeSeriesLength());
        }
    }

    @Override
    public InputType getOutputType(int layerIndex, InputType in) {
        checkInputType(in);
        return outputTokens > 0 ? InputType.recurrent(width, outputTokens) : in;
    }

    public static final class Builder extends BraggLayerConf.Builder<Builder> {
        private int width;
        private int heads = 1;
        private int hidden;
        private boolean causal;
        private String device = "auto";
        private int outputTokens;

        /** D, the token width. */
        public Builder width(int d) { width = d; return this; }
        /** H; D must be divisible by H. Default 1. */
        public Builder heads(int h) { heads = h; return this; }
        /** F, the MLP's hidden width. Default 4 D. */
        public Builder hidden(int f) { hidden = f; return this; }
        /** Causal self-attention. Default false. */
        public Builder causal(boolean c) { causal = c; return this; }
        /** Kernel device for float networks: auto (default), opencl-gpu, opencl-cpu, java. */
        public Builder device(String d) { device = d; return this; }
        /** Output only the first Q tokens (see the class comment); 0 (default) = every token. */
        public Builder outputTokens(int q) { outputTokens = q; return this; }

        @Override
        @SuppressWarnings("unchecked")
        public TransformerBlock build() {
            String me = label("TransformerBlock");
            checkHeads(me, width, heads);
            if (hidden < 0) {
                throw new IllegalArgumentException(me + ": hidden F must be >= 1 (0 = 4 D); found " + hidden);
            }
            KernelProvider.checkDevice(me + ": device", device);
            if (outputTokens < 0) {
                throw new IllegalArgumentException(me + ": outputTokens Q must be >= 0 (0 = every token); found " + outputTokens);
            }
            if (outputTokens > 0 && causal) {
                throw new IllegalArgumentException(me + ": outputTokens " + outputTokens + " with causal attention: the "
                        + "first tokens would see only themselves; use outputTokens 0 or a non-causal block");
            }
            return new TransformerBlock(this);
        }
    }
}
