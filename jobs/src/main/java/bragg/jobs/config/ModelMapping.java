package bragg.jobs.config;

import bragg.driver.train.ModelSettings;
import bragg.worker.model.ScanConfig;
import bragg.worker.model.StackConfig;
import java.util.Map;
import org.deeplearning4j.nn.conf.ComputationGraphConfiguration;

/**
 * {@code bragg.model.*} as the driver's {@link ModelSettings}, the one mapping onto the worker's
 * model builders that bragg.ml's estimators use too; errors name the config keys. The input sizes
 * come from the manifest, never from the config, so a model always fits the data it is trained on.
 */
public final class ModelMapping {
    /** How ModelSettings names its fields in errors: as the config keys. */
    private static final ModelSettings.Naming KEYS = new ModelSettings.Naming(Map.of(
            "kind", BraggKeys.MODEL_KIND.path(), "head", BraggKeys.MODEL_HEAD.path(),
            "window", BraggKeys.MODEL_WINDOW.path()),
            "the manifest's sample_shape", "set bragg.preprocess.layers-below >= 1 and preprocess again");

    private ModelMapping() {
    }

    /** The model settings of {@code bragg.model.*} (with bragg.train.learning-rate and seed, bragg.kernels.device). */
    public static ModelSettings settings(BraggConfig c) {
        ModelSettings m = new ModelSettings();
        m.kind = c.get(BraggKeys.MODEL_KIND);
        m.patch = c.get(BraggKeys.MODEL_PATCH);
        m.dim = c.get(BraggKeys.MODEL_DIM);
        m.heads = c.get(BraggKeys.MODEL_HEADS);
        m.blocks = c.get(BraggKeys.MODEL_BLOCKS);
        m.mlpHidden = c.get(BraggKeys.MODEL_MLP_HIDDEN);
        m.positions = c.get(BraggKeys.MODEL_POSITIONS);
        m.classToken = c.get(BraggKeys.MODEL_CLASS_TOKEN);
        m.head = c.get(BraggKeys.MODEL_HEAD);
        m.crossBlocks = c.get(BraggKeys.MODEL_CROSS_BLOCKS);
        m.crossAttention = c.get(BraggKeys.MODEL_CROSS_ATTENTION);
        m.window = c.get(BraggKeys.MODEL_WINDOW);
        m.learningRate = c.get(BraggKeys.TRAIN_LR);
        m.seed = c.get(BraggKeys.TRAIN_SEED);
        m.attentionDevice = c.get(BraggKeys.KERNELS_DEVICE);
        m.naming = KEYS;
        return m;
    }

    /**
     * The graph configuration of the configured model kind.
     *
     * @param sampleShape [C, H, W] of one sample (the manifest's sample_shape)
     * @param outputs     classes (classification) or targets (regression)
     */
    public static ComputationGraphConfiguration configuration(BraggConfig c, int[] sampleShape, int outputs) {
        return settings(c).configuration(sampleShape, outputs);
    }

    /** {@code bragg.model.*} as a {@link StackConfig} for LPBF samples [K+1, tile, tile]. */
    public static StackConfig stack(BraggConfig c, int[] sampleShape, int outputs) {
        return (StackConfig) as(c, "stack").config(sampleShape, outputs);
    }

    /** {@code bragg.model.*} as a {@link ScanConfig} for samples of window^2 patterns [N, H, W]. */
    public static ScanConfig scan(BraggConfig c, int[] sampleShape, int outputs) {
        return (ScanConfig) as(c, "scan").config(sampleShape, outputs);
    }

    private static ModelSettings as(BraggConfig c, String kind) {
        ModelSettings m = settings(c);
        m.kind = kind;
        return m;
    }
}
