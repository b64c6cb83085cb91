package bragg.jobs.config;

import bragg.worker.model.PatchModelConfig;
import bragg.worker.model.ScanConfig;
import bragg.worker.model.ScanModel;
import bragg.worker.model.StackConfig;
import bragg.worker.model.StackModel;
import bragg.worker.model.VitConfig;
import bragg.worker.model.VitModel;
import org.deeplearning4j.nn.conf.ComputationGraphConfiguration;
import org.nd4j.linalg.learning.config.Adam;

import java.util.Arrays;

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
        Adam adam = new Adam(c.get(BraggKeys.TRAIN_LR));
        return switch (kind) {
            case "vit" -> VitModel.configuration(vit(c, sampleShape, outputs), adam);
            case "stack" -> StackModel.configuration(stack(c, sampleShape, outputs), adam);
            case "scan" -> ScanModel.configuration(scan(c, sampleShape, outputs), adam);
            default -> throw new IllegalArgumentException("config key bragg.model.kind = " + kind
                    + " is not one of vit, stack, scan");
        };
    }

    /** {@code bragg.model.*} as a {@link VitConfig} for samples of {@code sampleShape}. */
    public static VitConfig vit(BraggConfig c, int[] sampleShape, int outputs) {
        requireImage(sampleShape);
        VitConfig v = shared(new VitConfig(), c, sampleShape, outputs);
        v.channels = sampleShape[0];
        v.classToken = c.get(BraggKeys.MODEL_CLASS_TOKEN);
        v.head = c.get(BraggKeys.MODEL_HEAD);
        return v.validate();
    }

    /**
     * {@code bragg.model.*} as a {@link StackConfig} for LPBF samples [K+1, tile, tile] (channel 0
     * layer k, channels 1..K the layers below, as preprocess writes them); the per-layer head, since
     * shards carry one label per sample.
     */
    public static StackConfig stack(BraggConfig c, int[] sampleShape, int outputs) {
        requireImage(sampleShape);
        if (sampleShape[0] < 2) {
            throw new IllegalArgumentException("bragg.model.kind = stack needs samples of K+1 >= 2 layers (set "
                    + "bragg.preprocess.layers-below >= 1 and preprocess again); the manifest's sample_shape is "
                    + Arrays.toString(sampleShape));
        }
        if (!c.get(BraggKeys.MODEL_HEAD).equals("classification")) {
            throw new IllegalArgumentException("config key bragg.model.head = " + c.get(BraggKeys.MODEL_HEAD)
                    + ": the stack model classifies (defect or not); use classification");
        }
        StackConfig s = shared(new StackConfig(), c, sampleShape, outputs);
        s.layersBelow = sampleShape[0] - 1;
        s.crossBlocks = c.get(BraggKeys.MODEL_CROSS_BLOCKS);
        s.crossAttention = c.get(BraggKeys.MODEL_CROSS_ATTENTION);
        s.head = "per-layer";
        return s.validate();
    }

    /** {@code bragg.model.*} as a {@link ScanConfig} for samples of window^2 patterns [N, H, W]. */
    public static ScanConfig scan(BraggConfig c, int[] sampleShape, int outputs) {
        requireImage(sampleShape);
        int window = c.get(BraggKeys.MODEL_WINDOW);
        if (sampleShape[0] != window * window) {
            throw new IllegalArgumentException("bragg.model.kind = scan with bragg.model.window = " + window
                    + " needs samples of " + window * window + " patterns stacked on the channel axis; the manifest's "
                    + "sample_shape is " + Arrays.toString(sampleShape));
        }
        ScanConfig s = shared(new ScanConfig(), c, sampleShape, outputs);
        s.window = window;
        s.head = c.get(BraggKeys.MODEL_HEAD);
        return s.validate();
    }

    /** The keys every model kind reads, onto the fields they share; H and W from the manifest. */
    private static <T extends PatchModelConfig> T shared(T m, BraggConfig c, int[] sampleShape, int outputs) {
        m.height = sampleShape[1];
        m.width = sampleShape[2];
        m.patch = c.get(BraggKeys.MODEL_PATCH);
        m.dim = c.get(BraggKeys.MODEL_DIM);
        m.heads = c.get(BraggKeys.MODEL_HEADS);
        m.blocks = c.get(BraggKeys.MODEL_BLOCKS);
        m.mlpHidden = c.get(BraggKeys.MODEL_MLP_HIDDEN);
        m.positions = c.get(BraggKeys.MODEL_POSITIONS);
        m.outputs = outputs;
        m.learningRate = c.get(BraggKeys.TRAIN_LR);
        m.seed = c.get(BraggKeys.TRAIN_SEED);
        m.attentionDevice = c.get(BraggKeys.KERNELS_DEVICE);
        return m;
    }

    private static void requireImage(int[] sampleShape) {
        if (sampleShape == null || sampleShape.length != 3) {
            throw new IllegalArgumentException("the manifest's sample_shape must be [C, H, W]; found "
                    + Arrays.toString(sampleShape));
        }
    }
}
