package bragg.worker.model;

import java.util.List;

/**
 * Configuration of the {@code vit} model (see {@link VitModel}); defaults fit a 64x64 diffraction
 * pattern. Plain public fields with documented defaults; {@link #validate()} names the field in
 * every error; JSON round-trips through {@link #toJson()} / {@link #fromJson(String)}.
 */
public final class VitConfig extends PatchModelConfig {
    /** Input channels C. Default 1. */
    public int channels = 1;
    /** Prepend a class token and pool it (else mean-pool the patch tokens). Default true. */
    public boolean classToken = true;
    /** Head: "classification" (softmax + cross-entropy) or "regression" (identity + MSE). Default "classification". */
    public String head = "classification";

    /** Throws naming the first bad field; returns this. */
    public VitConfig validate() {
        String me = "vit";
        Check.positive(me, "channels", channels);
        validateShared(me);
        Check.oneOf(me, "head", head, List.of("classification", "regression"));
        return this;
    }

    /** Tokens T: patches plus the class token. */
    public int tokens() {
        return patchesPerPattern() + (classToken ? 1 : 0);
    }

    public String toJson() {
        return ModelJson.write(this);
    }

    public static VitConfig fromJson(String json) {
        return ModelJson.read(json, VitConfig.class).validate();
    }
}
