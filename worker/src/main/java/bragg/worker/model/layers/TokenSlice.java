package bragg.worker.model.layers;

import org.deeplearning4j.nn.conf.NeuralNetConfiguration;
import org.nd4j.shade.jackson.annotation.JsonProperty;
import org.deeplearning4j.nn.conf.inputs.InputType;
import org.nd4j.linalg.api.buffer.DataType;

import java.util.List;

/**
 * Keeps tokens [from, to) of [B, D, T] (and of the feature mask): e.g. the queries after the last
 * {@link CrossAttentionBlock}. No parameters.
 */
public class TokenSlice extends BraggLayerConf {
    @JsonProperty
    private int width, from, to;

    protected TokenSlice() {
    }

    private TokenSlice(Builder b) {
        super(b);
        width = b.width;
        from = b.from;
        to = b.to;
    }

    public static Builder builder() {
        return new Builder();
    }

    public int width() { return width; }
    public int from() { return from; }
    public int to() { return to; }

    @Override
    public List<ParamSpec> paramSpecs() {
        return List.of();
    }

    @Override
    protected BraggLayer<?> createLayer(NeuralNetConfiguration conf, DataType dataType) {
        return new TokenSliceLayer(conf, dataType);
    }

    @Override
    protected void checkInputType(InputType in) {
        InputType.InputTypeRecurrent r = requireRecurrent(in, width);
        if (r.getTimeSeriesLength() > 0 && r.getTimeSeriesLength() < to) {
            throw new IllegalArgumentException(describe() + ": keeps tokens [" + from + ", " + to + ") but the input has T = "
                    + r.getTimeSeriesLength());
        }
    }

    @Override
    public InputType getOutputType(int layerIndex, InputType in) {
        checkInputType(in);
        return InputType.recurrent(width, to - from);
    }

    public static final class Builder extends BraggLayerConf.Builder<Builder> {
        private int width, from, to;

        /** D, the token width. */
        public Builder width(int d) { width = d; return this; }
        /** The tokens kept: [from, to). */
        public Builder range(int from, int to) { this.from = from; this.to = to; return this; }

        @Override
        @SuppressWarnings("unchecked")
        public TokenSlice build() {
            String me = label("TokenSlice");
            positive(me, "width D", width);
            if (from < 0 || to <= from) {
                throw new IllegalArgumentException(me + ": range [" + from + ", " + to + ") is empty or negative");
            }
            return new TokenSlice(this);
        }
    }

}
