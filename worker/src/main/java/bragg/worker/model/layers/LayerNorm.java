package bragg.worker.model.layers;

import org.deeplearning4j.nn.conf.NeuralNetConfiguration;
import org.nd4j.shade.jackson.annotation.JsonProperty;
import org.deeplearning4j.nn.conf.inputs.InputType;
import org.nd4j.linalg.api.buffer.DataType;

import java.util.List;

/**
 * Layer normalization over the feature axis D of tokens [B, D, T] (or features [B, D]);
 * parameters gamma [D], beta [D]. Math in {@link bragg.worker.model.ops.LayerNormOp}.
 */
public class LayerNorm extends BraggLayerConf {
    @JsonProperty
    private int width;

    protected LayerNorm() {
    }

    private LayerNorm(Builder b) {
        super(b);
        this.width = b.width;
    }

    public static Builder builder() {
        return new Builder();
    }

    public int width() {
        return width;
    }

    @Override
    public List<ParamSpec> paramSpecs() {
        return Specs.layerNorm("", width);
    }

    @Override
    protected BraggLayer<?> createLayer(NeuralNetConfiguration conf, DataType dataType) {
        return new LayerNormLayer(conf, dataType);
    }

    @Override
    protected void checkInputType(InputType in) {
        if (in instanceof InputType.InputTypeFeedForward f) {
            if (f.getSize() != width) {
                throw new IllegalArgumentException(describe() + ": expected width D = " + width + ", found " + f.getSize());
            }
            return;
        }
        requireRecurrent(in, width);
    }

    @Override
    public InputType getOutputType(int layerIndex, InputType in) {
        checkInputType(in);
        return in;
    }

    public static final class Builder extends BraggLayerConf.Builder<Builder> {
        private int width;

        /** D, the feature width normalized over. */
        public Builder width(int d) {
            this.width = d;
            return this;
        }

        @Override
        @SuppressWarnings("unchecked")
        public LayerNorm build() {
            positive(label("LayerNorm"), "width D", width);
            return new LayerNorm(this);
        }
    }
}
