package bragg.worker.model.layers;

import bragg.worker.model.ops.KernelProvider;
import org.deeplearning4j.nn.conf.NeuralNetConfiguration;
import org.nd4j.shade.jackson.annotation.JsonProperty;
import org.deeplearning4j.nn.conf.inputs.InputType;
import org.nd4j.linalg.api.buffer.DataType;

import java.util.List;

/**
 * Multi-head attention over tokens [B, D, T]: Q, K, V projections, H heads through the kernels,
 * output projection (math in {@link bragg.worker.model.ops.AttentionOp}).
 *
 * <p>Self-attention ({@code queryLength = 0}): [B, D, T] to [B, D, T].
 * Cross-attention ({@code queryLength = Tq > 0}): the input is the queries' tokens followed by the
 * keys' tokens on the time axis, [B, D, Tq + Tk]; the layer splits at Tq and outputs the attended
 * queries [B, D, Tq] (a single-input layer, so it fits DL4J's layer vertex and its mask plumbing).
 *
 * <p>Masks: {@code causal} (self only) lets token i see keys j <= i; DL4J's feature mask [B, T]
 * becomes key padding (trailing zeros per item, as the kernels take a key length per item).
 * Attention runs on the kernel of {@code device} (float networks) or ReferenceAttention's
 * double API (double networks).
 */
public class MultiHeadAttention extends BraggLayerConf {
    @JsonProperty
    private int width;
    @JsonProperty
    private int heads;
    @JsonProperty
    private int queryLength;
    @JsonProperty
    private boolean causal;
    @JsonProperty
    private String device;

    protected MultiHeadAttention() {
    }

    private MultiHeadAttention(Builder b) {
        super(b);
        width = b.width;
        heads = b.heads;
        queryLength = b.queryLength;
        causal = b.causal;
        device = b.device;
    }

    public static Builder builder() {
        return new Builder();
    }

    public int width() { return width; }
    public int heads() { return heads; }
    public int queryLength() { return queryLength; }
    public boolean causal() { return causal; }
    public String device() { return device; }

    @Override
    public List<ParamSpec> paramSpecs() {
        return Specs.attention("", width);
    }

    @Override
    protected BraggLayer<?> createLayer(NeuralNetConfiguration conf, DataType dataType) {
        return new MultiHeadAttentionLayer(conf, dataType);
    }

    @Override
    protected void checkInputType(InputType in) {
        InputType.InputTypeRecurrent r = requireRecurrent(in, width);
        if (queryLength > 0 && r.getTimeSeriesLength() > 0 && r.getTimeSeriesLength() <= queryLength) {
            throw new IllegalArgumentException(describe() + ": cross-attention input needs Tq = " + queryLength
                    + " query tokens followed by at least one key token; found T = " + r.getTimeSeriesLength());
        }
    }

    @Override
    public InputType getOutputType(int layerIndex, InputType in) {
        InputType.InputTypeRecurrent r = requireRecurrent(in, width);
        return queryLength > 0 ? InputType.recurrent(width, queryLength) : InputType.recurrent(width, r.getTimeSeriesLength());
    }

    public static final class Builder extends BraggLayerConf.Builder<Builder> {
        private int width;
        private int heads = 1;
        private int queryLength;
        private boolean causal;
        private String device = "auto";

        /** D, the token width (input and output). */
        public Builder width(int d) { width = d; return this; }
        /** H; D must be divisible by H. Default 1. */
        public Builder heads(int h) { heads = h; return this; }
        /** Tq > 0 makes this cross-attention (first Tq tokens query the rest); 0 (default) is self-attention. */
        public Builder queryLength(int tq) { queryLength = tq; return this; }
        /** Causal mask (self-attention only). Default false. */
        public Builder causal(boolean c) { causal = c; return this; }
        /** Kernel device for float networks: auto (default), opencl-gpu, opencl-cpu, java. */
        public Builder device(String d) { device = d; return this; }

        @Override
        @SuppressWarnings("unchecked")
        public MultiHeadAttention build() {
            String me = label("MultiHeadAttention");
            checkHeads(me, width, heads);
            if (queryLength < 0) {
                throw new IllegalArgumentException(me + ": queryLength must be >= 0 (0 = self-attention); found " + queryLength);
            }
            if (causal && queryLength > 0) {
                throw new IllegalArgumentException(me + ": causal mask needs self-attention; found queryLength = " + queryLength);
            }
            KernelProvider.checkDevice(me + ": device", device);
            return new MultiHeadAttention(this);
        }
    }
}
