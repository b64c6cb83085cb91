package bragg.jobs.config;

import bragg.worker.model.VitConfig;
import bragg.worker.model.VitModel;
import org.deeplearning4j.nn.conf.ComputationGraphConfiguration;
import org.nd4j.linalg.learning.config.Adam;

/**
 * Maps {@code bragg.model.*} and the shards' sample shape onto a model builder of the worker
 * area. The input sizes come from the manifest, never from the config, so a model always fits
 * the data it is trained on.
 */
public final class ModelMapping {
    private ModelMapping() {
    }

    /**
     * The graph configuration of the configured model kind.
     *
     * @param sampleShape [C, H, W] of one sample (the manifest's sample_shape)
     * @param outputs     classes (classification) or targets (regression)
     */
    public static ComputationGraphConfiguration configuration(BraggConfig c, int[] sampleShape, int outputs) {
        String kind = c.get(BraggKeys.MODEL_KIND);
        return switch (kind) {
            case "vit" -> VitModel.configuration(vit(c, sampleShape, outputs), new Adam(c.get(BraggKeys.TRAIN_LR)));
            default -> throw new IllegalArgumentException("config key bragg.model.kind = " + kind
                    + ": this build trains only 'vit' from shards");
        };
    }

    /** {@code bragg.model.*} as a {@link VitConfig} for samples of {@code sampleShape}. */
    public static VitConfig vit(BraggConfig c, int[] sampleShape, int outputs) {
        VitConfig v = new VitConfig();
        v.channels = sampleShape[0];
        v.height = sampleShape[1];
        v.width = sampleShape[2];
        v.patch = c.get(BraggKeys.MODEL_PATCH);
        v.dim = c.get(BraggKeys.MODEL_DIM);
        v.heads = c.get(BraggKeys.MODEL_HEADS);
        v.blocks = c.get(BraggKeys.MODEL_BLOCKS);
        v.mlpHidden = c.get(BraggKeys.MODEL_MLP_HIDDEN);
        v.classToken = c.get(BraggKeys.MODEL_CLASS_TOKEN);
        v.positions = c.get(BraggKeys.MODEL_POSITIONS);
        v.head = c.get(BraggKeys.MODEL_HEAD);
        v.outputs = outputs;
        v.learningRate = c.get(BraggKeys.TRAIN_LR);
        v.seed = c.get(BraggKeys.TRAIN_SEED);
        v.attentionDevice = c.get(BraggKeys.KERNELS_DEVICE);
        return v.validate();
    }
}
