package bragg.worker.model;

import java.util.List;

/**
 * Configuration of the {@code scan} model (see {@link ScanModel}); defaults fit 3x3 windows of
 * 64x64 diffraction patterns. Plain public fields with documented defaults; {@link #validate()}
 * names the field in every error; JSON round-trips.
 */
public final class ScanConfig {
    /** Side of the square scan window (odd, so that it has a centre); N = window^2 patterns per sample. Default 3. */
    public int window = 3;
    /** Pattern height in pixels. Default 64. */
    public int height = 64;
    /** Pattern width in pixels. Default 64. */
    public int width = 64;
    /** Patch side P of the shared pattern encoder (height and width multiples of P). Default 8. */
    public int patch = 8;
    /** Token width D (encoder and blocks; a multiple of 4 for the encoder's 2-D patch positions). Default 128. */
    public int dim = 128;
    /** Attention heads (dim divisible by heads). Default 4. */
    public int heads = 4;
    /** Transformer blocks over the window's N pattern tokens. Default 4. */
    public int blocks = 4;
    /** MLP hidden width F; 0 means 4 * dim. Default 0. */
    public int mlpHidden = 0;
    /** Window positions: "learned" ([D, N]) or "sinusoidal" (2-D, the window grid). Default "sinusoidal". */
    public String positions = "sinusoidal";
    /** Head on the centre pattern's token: "classification" (softmax + cross-entropy) or "regression" (MSE). Default "classification". */
    public String head = "classification";
    /** Classes (classification) or targets (regression). Default 2. */
    public int outputs = 2;
    /** Adam learning rate. Default 1e-3. */
    public double learningRate = 1e-3;
    /** Seed of the parameter initialization. Default 42. */
    public long seed = 42;
    /** Attention kernel device: auto, opencl-gpu[:N], opencl-cpu[:N], java. Default "auto". */
    public String attentionDevice = "auto";
    /** Network precision: "float" (training) or "double" (gradient checks). Default "float". */
    public String dataType = "float";

    /** Throws naming the first bad field; returns this. */
    public ScanConfig validate() {
        String me = "scan";
        Check.positive(me, "window", window);
        if (window % 2 == 0) {
            throw new IllegalArgumentException(me + ".window = " + window + " must be odd (the window needs a centre pattern)");
        }
        Check.positive(me, "height", height);
        Check.positive(me, "width", width);
        Check.positive(me, "patch", patch);
        Check.divisible(me, "height", height, "patch", patch);
        Check.divisible(me, "width", width, "patch", patch);
        Check.positive(me, "dim", dim);
        if (dim % 4 != 0) {
            throw new IllegalArgumentException(me + ".dim = " + dim
                    + " must be divisible by 4 (the shared encoder's 2-D patch positions)");
        }
        Check.positive(me, "heads", heads);
        Check.divisible(me, "dim", dim, "heads", heads);
        Check.nonNegative(me, "blocks", blocks);
        Check.nonNegative(me, "mlpHidden", mlpHidden);
        Check.positions(me, positions, dim);
        Check.oneOf(me, "head", head, List.of("classification", "regression"));
        Check.positive(me, "outputs", outputs);
        Check.positive(me, "learningRate", learningRate);
        Check.device(me, attentionDevice);
        Check.dataType(me, dataType);
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

    /** Patches per pattern in the shared encoder. */
    public int patchesPerPattern() {
        return (height / patch) * (width / patch);
    }

    public String toJson() {
        return ModelJson.write(this);
    }

    public static ScanConfig fromJson(String json) {
        return ModelJson.read(json, ScanConfig.class).validate();
    }
}
