package bragg.worker.model.layers;

import org.deeplearning4j.nn.conf.NeuralNetConfiguration;
import org.nd4j.shade.jackson.annotation.JsonProperty;
import org.deeplearning4j.nn.conf.inputs.InputType;
import org.nd4j.linalg.api.buffer.DataType;

import java.util.List;

/**
 * Tokens [B, D, T] to one vector per item [B, D]: the class token (token 0), one chosen token
 * (e.g. the centre of a scan window), or the mean over the real tokens (DL4J's feature mask [B, T];
 * all tokens when there is no mask). No parameters.
 */
public class TokenPooling extends BraggLayerConf {
    /** How tokens are pooled. */
    public enum Mode { CLASS_TOKEN, TOKEN, MEAN }

    @JsonProperty
    private Mode mode;
    @JsonProperty
    private int width;
    @JsonProperty
    private int token;

    protected TokenPooling() {
    }

    private TokenPooling(Builder b) {
        super(b);
        mode = b.mode;
        width = b.width;
        token = b.mode == Mode.TOKEN ? b.token : 0;
    }

    public static Builder builder() {
        return new Builder();
    }

    public Mode mode() { return mode; }
    public int width() { return width; }
    /** The token kept by CLASS_TOKEN (0) and TOKEN. */
    public int token() { return token; }

    @Override
    public List<ParamSpec> paramSpecs() {
        return List.of();
    }

    @Override
    protected BraggLayer<?> createLayer(NeuralNetConfiguration conf, DataType dataType) {
        return new TokenPoolingLayer(conf, dataType);
    }

    @Override
    protected void checkInputType(InputType in) {
        InputType.InputTypeRecurrent r = requireRecurrent(in, width);
        if (mode != Mode.MEAN && r.getTimeSeriesLength() > 0 && r.getTimeSeriesLength() <= token) {
            throw new IllegalArgumentException(describe() + ": keeps token " + token + " but the input has T = "
                    + r.getTimeSeriesLength());
        }
    }

    @Override
    public InputType getOutputType(int layerIndex, InputType in) {
        checkInputType(in);
        return InputType.feedForward(width);
    }

    public static final class Builder extends BraggLayerConf.Builder<Builder> {
        private Mode mode = Mode.CLASS_TOKEN;
        private int width;
        private int token;

        /** CLASS_TOKEN (default), TOKEN or MEAN. */
        public Builder mode(Mode m) { mode = m; return this; }
        /** The token index kept by Mode.TOKEN. Default 0. */
        public Builder token(int t) { token = t; return this; }
        /** D, the token width. */
        public Builder width(int d) { width = d; return this; }

        @Override
        @SuppressWarnings("unchecked")
        public TokenPooling build() {
            String me = label("TokenPooling");
            positive(me, "width D", width);
            if (mode == null) {
                throw new IllegalArgumentException(me + ": mode is required (CLASS_TOKEN, TOKEN or MEAN)");
            }
            if (token < 0) {
                throw new IllegalArgumentException(me + ": token index must be >= 0; found " + token);
            }
            return new TokenPooling(this);
        }
    }
}
