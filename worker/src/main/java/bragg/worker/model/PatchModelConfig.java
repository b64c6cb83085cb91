package bragg.worker.model;

/**
 * What the configs of the patch-transformer models ({@link VitConfig}, {@link StackConfig},
 * {@link ScanConfig}) share: the input patterns' size and patching, the encoder's width, depth and
 * heads, the positions, the outputs, and how the network is built (seed, precision, attention
 * device). Plain public fields with documented defaults (a model may set other defaults in its
 * constructor, and says so); {@link #validateShared} names the field in every error.
 */
public abstract class PatchModelConfig {
    /** Pattern (or tile) height H in pixels. Default 64. */
    public int height = 64;
    /** Pattern (or tile) width W in pixels. Default 64. */
    public int width = 64;
    /** Patch side P (H and W multiples of P). Default 8. */
    public int patch = 8;
    /** Token width D. Default 128. */
    public int dim = 128;
    /** Attention heads (dim divisible by heads), in every block. Default 4. */
    public int heads = 4;
    /** Self-attention transformer blocks. Default 4 (stack: 2, after its cross blocks). */
    public int blocks = 4;
    /** MLP hidden width F; 0 means 4 * dim. Default 0. */
    public int mlpHidden = 0;
    /** Positions: "learned" or "sinusoidal" (fixed 2-D, for the patch or window grid). Default "learned" (scan: "sinusoidal"). */
    public String positions = "learned";
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

    /** Checks the shared fields; errors name them as {@code <me>.<field>}. */
    protected void validateShared(String me) {
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
        Check.positive(me, "outputs", outputs);
        Check.positive(me, "learningRate", learningRate);
        Check.device(me, attentionDevice);
        Check.dataType(me, dataType);
    }

    /** Patches per pattern (or per layer of a tile). */
    public int patchesPerPattern() {
        return (height / patch) * (width / patch);
    }
}
