package bragg.worker.model;

import java.util.List;

/**
 * Configuration of the {@code stack} model (see {@link StackModel}); defaults fit the LPBF shards
 * of conf/stack-lpbf.conf (64x64 tiles, K = 4 layers below). Plain public fields with documented
 * defaults; {@link #validate()} names the field in every error; JSON round-trips.
 */
public final class StackConfig {
    /** K, layers below layer k in each sample (the input has K + 1 channels). Default 4. */
    public int layersBelow = 4;
    /** Tile height in pixels. Default 64. */
    public int height = 64;
    /** Tile width in pixels. Default 64. */
    public int width = 64;
    /** Patch side P (height and width multiples of P). Default 8. */
    public int patch = 8;
    /** Token width D. Default 128. */
    public int dim = 128;
    /** Attention heads (dim divisible by heads), in every block. Default 4. */
    public int heads = 4;
    /** Cross-attention blocks: layer k's patches attend to the patches of the K layers below. Default 2. */
    public int crossBlocks = 2;
    /** Self-attention blocks over layer k's patches after the cross blocks. Default 2. */
    public int blocks = 2;
    /** MLP hidden width F; 0 means 4 * dim. Default 0. */
    public int mlpHidden = 0;
    /**
     * true: the cross blocks attend to the layers below. false: the same model without
     * cross-attention, for comparison: the layers below are dropped after embedding and the cross
     * blocks become self-attention blocks over layer k (same depth, nearly the same parameters).
     * Default true.
     */
    public boolean crossAttention = true;
    /** Positions: "learned" (one per token of all K+1 layers) or "sinusoidal" (2-D, the same grid in every layer). Default "learned". */
    public String positions = "learned";
    /** Head: "per-layer" (one class per sample, mean of layer k's patch tokens) or "per-patch" (a class per patch of layer k: maps). Default "per-layer". */
    public String head = "per-layer";
    /** Classes (e.g. 2: defect or not). Default 2. */
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
    public StackConfig validate() {
        String me = "stack";
        Check.positive(me, "layersBelow", layersBelow);
        Check.positive(me, "height", height);
        Check.positive(me, "width", width);
        Check.positive(me, "patch", patch);
        Check.divisible(me, "height", height, "patch", patch);
        Check.divisible(me, "width", width, "patch", patch);
        Check.positive(me, "dim", dim);
        Check.positive(me, "heads", heads);
        Check.divisible(me, "dim", dim, "heads", heads);
        Check.positive(me, "crossBlocks", crossBlocks);
        Check.nonNegative(me, "blocks", blocks);
        Check.nonNegative(me, "mlpHidden", mlpHidden);
        Check.positions(me, positions, dim);
        Check.oneOf(me, "head", head, List.of("per-layer", "per-patch"));
        Check.positive(me, "outputs", outputs);
        Check.positive(me, "learningRate", learningRate);
        Check.device(me, attentionDevice);
        Check.dataType(me, dataType);
        return this;
    }

    /** Input channels: layer k and the K below. */
    public int channels() {
        return layersBelow + 1;
    }

    /** N, patches per layer (= query tokens, and the per-patch head's outputs per item). */
    public int patchesPerLayer() {
        return (height / patch) * (width / patch);
    }

    public String toJson() {
        return ModelJson.write(this);
    }

    public static StackConfig fromJson(String json) {
        return ModelJson.read(json, StackConfig.class).validate();
    }
}
