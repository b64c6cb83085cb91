package bragg.worker.model.layers;

import org.deeplearning4j.nn.conf.NeuralNetConfiguration;
import org.nd4j.shade.jackson.annotation.JsonProperty;
import org.deeplearning4j.nn.conf.inputs.InputType;
import org.nd4j.linalg.api.buffer.DataType;

import java.util.List;

/**
 * Mean of each run of S consecutive tokens: [B, D, G*S] to [B, D, G]. The scan model's shared
 * encoder embeds the N patterns of a window as N groups of patch tokens (channel-major, see
 * {@link PatchEmbedding#perChannel()}); this pools each pattern to one token. No parameters; the
 * output carries no mask (every group is a whole pattern).
 */
public class TokenGroupPooling extends BraggLayerConf {
    @JsonProperty
    private int width, groupSize;

    protected TokenGroupPooling() {
    }

    private TokenGroupPooling(Builder b) {
        super(b);
        width = b.width;
        groupSize = b.groupSize;
    }

    public static Builder builder() {
        return new Builder();
    }

    public int width() { return width; }
    /** S, tokens per group. */
    public int groupSize() { return groupSize; }

    @Override
    public List<ParamSpec> paramSpecs() {
        return List.of();
    }

    @Override
    protected BraggLayer<?> createLayer(NeuralNetConfiguration conf, DataType dataType) {
        return new TokenGroupPoolingLayer(conf, dataType);
    }

    @Override
    protected void checkInputType(InputType in) {
        InputType.InputTypeRecurrent r = requireRecurrent(in, width);
        if (r.getTimeSeriesLength() > 0 && r.getTimeSeriesLength() % groupSize != 0) {
            throw new IllegalArgumentException(describe() + ": T = " + r.getTimeSeriesLength()
                    + " tokens is not a whole number of groups of S = " + groupSize);
        }
    }

    @Override
    public InputType getOutputType(int layerIndex, InputType in) {
        checkInputType(in);
        InputType.InputTypeRecurrent r = (InputType.InputTypeRecurrent) in;
        return InputType.recurrent(width, r.getTimeSeriesLength() > 0 ? r.getTimeSeriesLength() / groupSize : -1);
    }

    public static final class Builder extends BraggLayerConf.Builder<Builder> {
        private int width, groupSize;

        /** D, the token width. */
        public Builder width(int d) { width = d; return this; }
        /** S, consecutive tokens pooled into one. */
        public Builder groupSize(int s) { groupSize = s; return this; }

        @Override
        @SuppressWarnings("unchecked")
        public TokenGroupPooling build() {
            String me = label("TokenGroupPooling");
            positive(me, "width D", width);
            positive(me, "group size S", groupSize);
            return new TokenGroupPooling(this);
        }
    }
}
