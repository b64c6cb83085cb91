package bragg.worker.model.layers;

import org.deeplearning4j.nn.conf.NeuralNetConfiguration;
import org.nd4j.shade.jackson.annotation.JsonProperty;
import org.deeplearning4j.nn.conf.inputs.InputType;
import org.nd4j.linalg.api.buffer.DataType;

import java.util.List;

/**
 * The same linear map on every token, [B, I, T] to [B, O, T], optionally followed by GELU:
 * the shared per-pattern encoder of the scan model (tokens are flattened patterns). W [I, O], b [O].
 */
public class TokenLinear extends BraggLayerConf {
    @JsonProperty
    private int inputs, outputs;
    @JsonProperty
    private boolean gelu;

    protected TokenLinear() {
    }

    private TokenLinear(Builder b) {
        super(b);
        inputs = b.inputs;
        outputs = b.outputs;
        gelu = b.gelu;
    }

    public static Builder builder() {
        return new Builder();
    }

    public int inputs() { return inputs; }
    public int outputs() { return outputs; }
    public boolean gelu() { return gelu; }

    @Override
    public List<ParamSpec> paramSpecs() {
        return List.of(ParamSpec.weight("W", inputs, outputs), ParamSpec.bias("b", outputs));
    }

    @Override
    protected BraggLayer<?> createLayer(NeuralNetConfiguration conf, DataType dataType) {
        return new TokenLinearLayer(conf, dataType);
    }

    @Override
    protected void checkInputType(InputType in) {
        requireRecurrent(in, inputs);
    }

    @Override
    public InputType getOutputType(int layerIndex, InputType in) {
        InputType.InputTypeRecurrent r = requireRecurrent(in, inputs);
        return InputType.recurrent(outputs, r.getTimeSeriesLength());
    }

    public static final class Builder extends BraggLayerConf.Builder<Builder> {
        private int inputs, outputs;
        private boolean gelu;

        /** I -> O per token. */
        public Builder sizes(int in, int out) { inputs = in; outputs = out; return this; }
        /** Apply GELU after the linear map. Default false. */
        public Builder gelu(boolean v) { gelu = v; return this; }

        @Override
        @SuppressWarnings("unchecked")
        public TokenLinear build() {
            String me = label("TokenLinear");
            positive(me, "inputs I", inputs);
            positive(me, "outputs O", outputs);
            return new TokenLinear(this);
        }
    }
}
