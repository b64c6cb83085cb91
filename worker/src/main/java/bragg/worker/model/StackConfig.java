package bragg.worker.model;

import java.util.List;

/**
 * Configuration of the {@code stack} model (see {@link StackModel}); defaults fit the LPBF shards
 * of conf/stack-lpbf.conf (64x64 tiles, K = 4 layers below). Plain public fields with documented
 * defaults; {@link #validate()} names the field in every error; JSON round-trips.
 */
public final class StackConfig extends PatchModelConfig {
    /** K, layers below layer k in each sample (the input has K + 1 channels). Default 4. */
    public int layersBelow = 4;
    /** Cross-attention blocks: layer k's patches attend to the patches of the K layers below. Default 2. */
    public int crossBlocks = 2;
    /**
     * true: the cross blocks attend to the layers below. false: the same model without
     * cross-attention, for comparison: the layers below are dropped after embedding and the cross
     * blocks become self-attention blocks over layer k (same depth, nearly the same parameters).
     * Default true.
     */
    public boolean crossAttention = true;
    /** Head: "per-layer" (one class per sample, mean of layer k's patch tokens) or "per-patch" (a class per patch of layer k: maps). Default "per-layer". */
    public String head = "per-layer";

    public StackConfig() {
        blocks = 2;
    }

    /** Throws naming the first bad field; returns this. */
    public StackConfig validate() {
        String me = "stack";
        Check.positive(me, "layersBelow", layersBelow);
        validateShared(me);
        Check.positive(me, "crossBlocks", crossBlocks);
        Check.oneOf(me, "head", head, List.of("per-layer", "per-patch"));
        return this;
    }

    /** Input channels: layer k and the K below. */
    public int channels() {
        return layersBelow + 1;
    }

    /** N, patches per layer (= query tokens, and the per-patch head's outputs per item). */
    public int patchesPerLayer() {
        return patchesPerPattern();
    }

    public String toJson() {
        return ModelJson.write(this);
    }

    public static StackConfig fromJson(String json) {
        return ModelJson.read(json, StackConfig.class).validate();
    }
}
