package bragg.worker.model;

import java.util.List;

/**
 * Configuration of the {@code scan} model (see {@link ScanModel}); defaults fit 3x3 windows of
 * 64x64 diffraction patterns. Plain public fields with documented defaults; {@link #validate()}
 * names the field in every error; JSON round-trips.
 */
public final class ScanConfig extends PatchModelConfig {
    /** Side of the square scan window (odd, so that it has a centre); N = window^2 patterns per sample. Default 3. */
    public int window = 3;
    /** Head on the centre pattern's token: "classification" (softmax + cross-entropy) or "regression" (MSE). Default "classification". */
    public String head = "classification";

    public ScanConfig() {
        positions = "sinusoidal";
    }

    /** Throws naming the first bad field; returns this. */
    public ScanConfig validate() {
        String me = "scan";
        Check.positive(me, "window", window);
        if (window % 2 == 0) {
            throw new IllegalArgumentException(me + ".window = " + window + " must be odd (the window needs a centre pattern)");
        }
        validateShared(me);
        if (dim % 4 != 0) {
            throw new IllegalArgumentException(me + ".dim = " + dim
                    + " must be divisible by 4 (the shared encoder's 2-D patch positions)");
        }
        Check.oneOf(me, "head", head, List.of("classification", "regression"));
        return this;
    }

    /** N, patterns per window (the input's channels and the blocks' sequence length). */
    public int patterns() {
        return window * window;
    }

    /** Index of the centre pattern among the N (row-major window order). */
    public int centre() {
        return patterns() / 2;
    }

    public String toJson() {
        return ModelJson.write(this);
    }

    public static ScanConfig fromJson(String json) {
        return ModelJson.read(json, ScanConfig.class).validate();
    }
}
