package bragg.worker.model.layers;

import org.deeplearning4j.nn.conf.NeuralNetConfiguration;
import org.nd4j.shade.jackson.annotation.JsonProperty;
import org.deeplearning4j.nn.conf.inputs.InputType;
import org.nd4j.linalg.api.buffer.DataType;

import java.util.ArrayList;
import java.util.List;

/**
 * Cuts an image [B, C, H, W] into P x P patches and projects each to D: tokens [B, D, T].
 * <pre>
 *   patch vector (c, py, px) of length C*P*P (or P*P per channel)   W [C*P*P, D], b [D]
 *   tokens in row-major patch order (gy, gx); gh = H/P, gw = W/P, N = gh*gw
 *   classToken: a learned cls [D] is token 0, so T = N + 1
 *   perChannel: each channel is its own image (an LPBF layer), tokens channel-major:
 *               T = C*N (+1), weights shared across channels, W [P*P, D]
 * </pre>
 */
public class PatchEmbedding extends BraggLayerConf {
    @JsonProperty
    private int channels, height, imageWidth, patch, width;
    @JsonProperty
    private boolean classToken, perChannel;

    protected PatchEmbedding() {
    }

    private PatchEmbedding(Builder b) {
        super(b);
        channels = b.channels;
        height = b.height;
        imageWidth = b.imageWidth;
        patch = b.patch;
        width = b.width;
        classToken = b.classToken;
        perChannel = b.perChannel;
    }

    public static Builder builder() {
        return new Builder();
    }

    public int channels() { return channels; }
    public int height() { return height; }
    public int imageWidth() { return imageWidth; }
    public int patch() { return patch; }
    public int width() { return width; }
    public boolean classToken() { return classToken; }
    public boolean perChannel() { return perChannel; }

    /** N, patches per channel image. */
    public int patchesPerImage() { return (height / patch) * (imageWidth / patch); }

    /** T, the number of output tokens. */
    public int tokens() { return (perChannel ? channels : 1) * patchesPerImage() + (classToken ? 1 : 0); }

    /** Length of one patch vector. */
    public int patchLength() { return (perChannel ? 1 : channels) * patch * patch; }

    @Override
    public List<ParamSpec> paramSpecs() {
        List<ParamSpec> s = new ArrayList<>();
        s.add(ParamSpec.weight("W", patchLength(), width));
        s.add(ParamSpec.bias("b", width));
        if (classToken) {
            s.add(ParamSpec.smallNormal("cls", width));
        }
        return s;
    }

    @Override
    protected BraggLayer<?> createLayer(NeuralNetConfiguration conf, DataType dataType) {
        return new PatchEmbeddingLayer(conf, dataType);
    }

    @Override
    protected void checkInputType(InputType in) {
        if (!(in instanceof InputType.InputTypeConvolutional c) || c.getChannels() != channels || c.getHeight() != height
                || c.getWidth() != imageWidth) {
            throw new IllegalArgumentException(describe() + ": expected an image [B, C=" + channels + ", H=" + height + ", W="
                    + imageWidth + "], found " + in);
        }
    }

    @Override
    public InputType getOutputType(int layerIndex, InputType in) {
        checkInputType(in);
        return InputType.recurrent(width, tokens());
    }

    public static final class Builder extends BraggLayerConf.Builder<Builder> {
        private int channels = 1, height, imageWidth, patch, width;
        private boolean classToken, perChannel;

        /** C, H, W of the input image. */
        public Builder image(int c, int h, int w) { channels = c; height = h; imageWidth = w; return this; }
        /** P, the patch side; H and W must be multiples of P. */
        public Builder patch(int p) { patch = p; return this; }
        /** D, the token width. */
        public Builder width(int d) { width = d; return this; }
        /** Prepend a learned class token. Default false. */
        public Builder classToken(boolean v) { classToken = v; return this; }
        /** Embed each channel as its own image (tokens channel-major). Default false. */
        public Builder perChannel(boolean v) { perChannel = v; return this; }

        @Override
        @SuppressWarnings("unchecked")
        public PatchEmbedding build() {
            String me = label("PatchEmbedding");
            positive(me, "channels C", channels);
            positive(me, "height H", height);
            positive(me, "width W", imageWidth);
            positive(me, "patch P", patch);
            positive(me, "token width D", width);
            if (height % patch != 0 || imageWidth % patch != 0) {
                throw new IllegalArgumentException(me + ": image " + height + " x " + imageWidth
                        + " is not a whole number of patches of " + patch + " x " + patch);
            }
            return new PatchEmbedding(this);
        }
    }
}
