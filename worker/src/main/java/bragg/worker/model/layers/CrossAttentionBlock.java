package bragg.worker.model.layers;

import bragg.worker.model.ops.KernelProvider;
import org.deeplearning4j.nn.conf.NeuralNetConfiguration;
import org.nd4j.shade.jackson.annotation.JsonProperty;
import org.deeplearning4j.nn.conf.inputs.InputType;
import org.nd4j.linalg.api.buffer.DataType;

import java.util.ArrayList;
import java.util.List;

/**
 * Pre-LN cross-attention block. The input is the queries' tokens followed by the keys' tokens on
 * the time axis, [B, D, Tq + Tk]; the block splits at {@code queryLength} = Tq:
 * <pre>
 *   q1 = q + MHA(LNq(q), LNkv(kv))     queries attend to the keys/values (key padding from the mask)
 *   q2 = q1 + MLP(LN2(q1))
 *   output [q2 ; kv]  [B, D, Tq + Tk]  the keys pass through unchanged
 * </pre>
 * Passing the keys through lets several cross blocks be stacked in a plain chain of single-input
 * layers; a {@link TokenSlice} after the last one keeps the queries.
 * Parameters: lnq*, lnkv*, ln2* (gamma, beta [D]); attn* as in {@link TransformerBlock}; mlp*.
 */
public class CrossAttentionBlock extends BraggLayerConf {
    @JsonProperty
    private int width;
    @JsonProperty
    private int heads;
    @JsonProperty
    private int hidden;
    @JsonProperty
    private int queryLength;
    @JsonProperty
    private String device;

    protected CrossAttentionBlock() {
    }

    private CrossAttentionBlock(Builder b) {
        super(b);
        width = b.width;
        heads = b.heads;
        hidden = b.hidden > 0 ? b.hidden : 4 * b.width;
        queryLength = b.queryLength;
        device = b.device;
    }

    public static Builder builder() {
        return new Builder();
    }

    public int width() { return width; }
    public int heads() { return heads; }
    public int hidden() { return hidden; }
    public int queryLength() { return queryLength; }
    public String device() { return device; }

    @Override
    public List<ParamSpec> paramSpecs() {
        List<ParamSpec> s = new ArrayList<>(Specs.layerNorm("lnq", width));
        s.addAll(Specs.layerNorm("lnkv", width));
        s.addAll(Specs.attention("attn", width));
        s.addAll(Specs.layerNorm("ln2", width));
        s.addAll(Specs.mlp("mlp", width, hidden));
        return s;
    }

    @Override
    protected BraggLayer<?> createLayer(NeuralNetConfiguration conf, DataType dataType) {
        return new CrossAttentionBlockLayer(conf, dataType);
    }

    @Override
    protected void checkInputType(InputType in) {
        InputType.InputTypeRecurrent r = requireRecurrent(in, width);
        if (r.getTimeSeriesLength() > 0 && r.getTimeSeriesLength() <= queryLength) {
            throw new IllegalArgumentException(describe() + ": input needs Tq = " + queryLength
                    + " query tokens followed by at least one key token; found T = " + r.getTimeSeriesLength());
        }
    }

    @Override
    public InputType getOutputType(int layerIndex, InputType in) {
        checkInputType(in);
        return in;
    }

    public static final class Builder extends BraggLayerConf.Builder<Builder> {
        private int width;
        private int heads = 1;
        private int hidden;
        private int queryLength;
        private String device = "auto";

        /** D, the token width. */
        public Builder width(int d) { width = d; return this; }
        /** H; D must be divisible by H. Default 1. */
        public Builder heads(int h) { heads = h; return this; }
        /** F, the MLP's hidden width. Default 4 D. */
        public Builder hidden(int f) { hidden = f; return this; }
        /** Tq, the number of query tokens at the front of the input (required). */
        public Builder queryLength(int tq) { queryLength = tq; return this; }
        /** Kernel device for float networks: auto (default), opencl-gpu, opencl-cpu, java. */
        public Builder device(String d) { device = d; return this; }

        @Override
        @SuppressWarnings("unchecked")
        public CrossAttentionBlock build() {
            String me = label("CrossAttentionBlock");
            checkHeads(me, width, heads);
            positive(me, "queryLength Tq", queryLength);
            if (hidden < 0) {
                throw new IllegalArgumentException(me + ": hidden F must be >= 1 (0 = 4 D); found " + hidden);
            }
            KernelProvider.checkDevice(me + ": device", device);
            return new CrossAttentionBlock(this);
        }
    }
}
