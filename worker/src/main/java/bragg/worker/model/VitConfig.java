package bragg.worker.model;

import java.util.List;

/**
 * Configuration of the {@code vit} model (see {@link VitModel}); defaults fit a 64x64 diffraction
 * pattern. Plain public fields with documented defaults; {@link #validate()} names the field in
 * every error; JSON round-trips through {@link #toJson()} / {@link #fromJson(String)}.
 */
public final class VitConfig {
    /** Input channels C. Default 1. */
    public int channels = 1;
    /** Input height H in pixels. Default 64. */
    public int height = 64;
    /** Input width W in pixels. Default 64. */
    public int width = 64;
    /** Patch side P (H and W multiples of P). Default 8. */
    public int patch = 8;
    /** Token width D. Default 128. */
    public int dim = 128;
    /** Attention heads H (dim divisible by heads). Default 4. */
    public int heads = 4;
    /** Transformer blocks. Default 4. */
    public int blocks = 4;
    /** MLP hidden width F; 0 means 4 * dim. Default 0. */
    public int mlpHidden = 0;
    /** Prepend a class token and pool it (else mean-pool the patch tokens). Default true. */
    public boolean classToken = true;
    /** Positions: "learned" or "sinusoidal" (2-D, for the patch grid). Default "learned". */
    public String positions = "learned";
    /** Head: "classification" (softmax + cross-entropy) or "regression" (identity + MSE). Default "classification". */
    public String head = "classification";
    /** Classes (classification) or targets (regression). Default 2. */
    public int outputs = 2;
    /** Adam learning rate. Default 1e-3. */
    public double learningRate = 1e-3;
    /** Seed of the parameter initialization. Default 42. */
    public long seed = 42;
    /** Attention kernel device: auto, opencl-gpu, opencl-cpu, java. Default "auto". */
    public String attentionDevice = "auto";
    /** Network precision: "float" (training) or "double" (gradient checks). Default "float". */
    public String dataType = "float";

    /** Throws naming the first bad field; returns this. */
    public VitConfig validate() {
        String me = "vit";
        Check.positive(me, "channels", channels);
        Check.positive(me, "height", height);
        Check.positive(me, "width", width);
        Check.positive(me, "patch", patch);
        Check.divisible(me, "height", height, "patch", patch);
        Check.divisible(me, "width", width, "patch", patch);
        Check.positive(me, "dim", dim);
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

    /** Tokens T: patches plus the class token. */
    public int tokens() {
        return (height / patch) * (width / patch) + (classToken ? 1 : 0);
    }

    public String toJson() {
        return ModelJson.write(this);
    }

    public static VitConfig fromJson(String json) {
        return ModelJson.read(json, VitConfig.class).validate();
    }
}
