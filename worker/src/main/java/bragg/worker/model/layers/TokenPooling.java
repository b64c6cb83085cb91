package bragg.worker.model.layers;

import org.deeplearning4j.nn.conf.NeuralNetConfiguration;
import org.deeplearning4j.nn.conf.inputs.InputType;
import org.nd4j.linalg.api.buffer.DataType;

import java.util.List;

/**
 * Tokens [B, D, T] to one vector per item [B, D]: the class token (token 0), or the mean over the
 * real tokens (DL4J's feature mask [B, T]; all tokens when there is no mask). No parameters.
 */
public class TokenPooling extends BraggLayerConf {
    /** How tokens are pooled. */
    public enum Mode { CLASS_TOKEN, MEAN }

    private Mode mode;
    private int width;

    protected TokenPooling() {
    }

    private TokenPooling(Builder b) {
        super(b);
        mode = b.mode;
        width = b.width;
    }

    public static Builder builder() {
        return new Builder();
    }

    public Mode mode() { return mode; }
    public int width() { return width; }

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
        requireRecurrent(in, width);
    }

    @Override
    public InputType getOutputType(int layerIndex, InputType in) {
        checkInputType(in);
        return InputType.feedForward(width);
    }

    public static final class Builder extends BraggLayerConf.Builder<Builder> {
        private Mode mode = Mode.CLASS_TOKEN;
        private int width;

        /** CLASS_TOKEN (default) or MEAN. */
        public Builder mode(Mode m) { mode = m; return this; }
        /** D, the token width. */
        public Builder width(int d) { width = d; return this; }

        @Override
        @SuppressWarnings("unchecked")
        public TokenPooling build() {
            String me = label("TokenPooling");
            positive(me, "width D", width);
            if (mode == null) {
                throw new IllegalArgumentException(me + ": mode is required (CLASS_TOKEN or MEAN)");
            }
            return new TokenPooling(this);
        }
    }
}
