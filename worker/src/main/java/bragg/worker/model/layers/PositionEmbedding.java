package bragg.worker.model.layers;

import org.deeplearning4j.nn.conf.NeuralNetConfiguration;
import org.nd4j.shade.jackson.annotation.JsonProperty;
import org.deeplearning4j.nn.conf.inputs.InputType;
import org.nd4j.linalg.api.buffer.DataType;

import java.util.List;

/**
 * Adds positions to tokens [B, D, T]:
 * <pre>
 *   LEARNED        a parameter pos [D, T] (T fixed by {@code length})
 *   SINUSOIDAL_1D  PE(t, 2i) = sin(t / 10000^(2i/D)), PE(t, 2i+1) = cos(t / 10000^(2i/D)); any T
 *   SINUSOIDAL_2D  for a patch grid gh x gw: the first D/2 features encode the row gy, the last D/2
 *                  the column gx (each by the 1-D formula with D/2); needs D % 4 == 0.
 *                  Layout of T: {@code prefix} tokens (class token: no position added), then
 *                  {@code groups} copies of the grid (e.g. one per LPBF layer), T = prefix + groups*gh*gw.
 * </pre>
 */
public class PositionEmbedding extends BraggLayerConf {
    /** Which positions are added. */
    public enum Kind { LEARNED, SINUSOIDAL_1D, SINUSOIDAL_2D }

    @JsonProperty
    private Kind kind;
    @JsonProperty
    private int width, length, gridHeight, gridWidth, prefix, groups;

    protected PositionEmbedding() {
    }

    private PositionEmbedding(Builder b) {
        super(b);
        kind = b.kind;
        width = b.width;
        length = b.length;
        gridHeight = b.gridHeight;
        gridWidth = b.gridWidth;
        prefix = b.prefix;
        groups = b.groups;
        if (kind == Kind.SINUSOIDAL_2D) {
            length = prefix + groups * gridHeight * gridWidth;
        }
    }

    public static Builder builder() {
        return new Builder();
    }

    public Kind kind() { return kind; }
    public int width() { return width; }
    /** T (0 = any, SINUSOIDAL_1D only). */
    public int length() { return length; }
    public int gridHeight() { return gridHeight; }
    public int gridWidth() { return gridWidth; }
    public int prefix() { return prefix; }
    public int groups() { return groups; }

    @Override
    public List<ParamSpec> paramSpecs() {
        return kind == Kind.LEARNED ? List.of(ParamSpec.smallNormal("pos", width, length)) : List.of();
    }

    @Override
    protected BraggLayer<?> createLayer(NeuralNetConfiguration conf, DataType dataType) {
        return new PositionEmbeddingLayer(conf, dataType);
    }

    @Override
    protected void checkInputType(InputType in) {
        InputType.InputTypeRecurrent r = requireRecurrent(in, width);
        if (length > 0 && r.getTimeSeriesLength() > 0 && r.getTimeSeriesLength() != length) {
            throw new IllegalArgumentException(describe() + ": expected T = " + length + " tokens, found T = "
                    + r.getTimeSeriesLength());
        }
    }

    @Override
    public InputType getOutputType(int layerIndex, InputType in) {
        checkInputType(in);
        return in;
    }

    public static final class Builder extends BraggLayerConf.Builder<Builder> {
        private Kind kind = Kind.LEARNED;
        private int width, length, gridHeight, gridWidth, prefix, groups = 1;

        public Builder kind(Kind k) { kind = k; return this; }
        /** D, the token width. */
        public Builder width(int d) { width = d; return this; }
        /** T for LEARNED (required) and optionally SINUSOIDAL_1D (0 = any). */
        public Builder length(int t) { length = t; return this; }
        /** gh x gw patch grid for SINUSOIDAL_2D. */
        public Builder grid(int gh, int gw) { gridHeight = gh; gridWidth = gw; return this; }
        /** Tokens before the grid (class token) that get no position (SINUSOIDAL_2D). Default 0. */
        public Builder prefix(int n) { prefix = n; return this; }
        /** Copies of the grid (SINUSOIDAL_2D). Default 1. */
        public Builder groups(int n) { groups = n; return this; }

        @Override
        @SuppressWarnings("unchecked")
        public PositionEmbedding build() {
            String me = label("PositionEmbedding");
            if (kind == null) {
                throw new IllegalArgumentException(me + ": kind is required (LEARNED, SINUSOIDAL_1D, SINUSOIDAL_2D)");
            }
            positive(me, "width D", width);
            switch (kind) {
                case LEARNED -> positive(me, "length T", length);
                case SINUSOIDAL_1D -> {
                    if (width % 2 != 0) {
                        throw new IllegalArgumentException(me + ": SINUSOIDAL_1D needs an even width D; found D = " + width);
                    }
                }
                case SINUSOIDAL_2D -> {
                    positive(me, "grid height", gridHeight);
                    positive(me, "grid width", gridWidth);
                    positive(me, "groups", groups);
                    if (prefix < 0) {
                        throw new IllegalArgumentException(me + ": prefix must be >= 0; found " + prefix);
                    }
                    if (width % 4 != 0) {
                        throw new IllegalArgumentException(me + ": SINUSOIDAL_2D needs D divisible by 4; found D = " + width);
                    }
                }
            }
            return new PositionEmbedding(this);
        }
    }
}
