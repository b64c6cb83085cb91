package bragg.jobs.config;

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
        StackConfig s = new StackConfig();
        s.layersBelow = sampleShape[0] - 1;
        s.height = sampleShape[1];
        s.width = sampleShape[2];
        s.patch = c.get(BraggKeys.MODEL_PATCH);
        s.dim = c.get(BraggKeys.MODEL_DIM);
        s.heads = c.get(BraggKeys.MODEL_HEADS);
        s.crossBlocks = c.get(BraggKeys.MODEL_CROSS_BLOCKS);
        s.blocks = c.get(BraggKeys.MODEL_BLOCKS);
        s.mlpHidden = c.get(BraggKeys.MODEL_MLP_HIDDEN);
        s.crossAttention = c.get(BraggKeys.MODEL_CROSS_ATTENTION);
        s.positions = c.get(BraggKeys.MODEL_POSITIONS);
        s.head = "per-layer";
        s.outputs = outputs;
        s.learningRate = c.get(BraggKeys.TRAIN_LR);
        s.seed = c.get(BraggKeys.TRAIN_SEED);
        s.attentionDevice = c.get(BraggKeys.KERNELS_DEVICE);
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
        ScanConfig s = new ScanConfig();
        s.window = window;
        s.height = sampleShape[1];
        s.width = sampleShape[2];
        s.patch = c.get(BraggKeys.MODEL_PATCH);
        s.dim = c.get(BraggKeys.MODEL_DIM);
        s.heads = c.get(BraggKeys.MODEL_HEADS);
        s.blocks = c.get(BraggKeys.MODEL_BLOCKS);
        s.mlpHidden = c.get(BraggKeys.MODEL_MLP_HIDDEN);
        s.positions = c.get(BraggKeys.MODEL_POSITIONS);
        s.head = c.get(BraggKeys.MODEL_HEAD);
        s.outputs = outputs;
        s.learningRate = c.get(BraggKeys.TRAIN_LR);
        s.seed = c.get(BraggKeys.TRAIN_SEED);
        s.attentionDevice = c.get(BraggKeys.KERNELS_DEVICE);
        return s.validate();
    }

    private static void requireImage(int[] sampleShape) {
        if (sampleShape == null || sampleShape.length != 3) {
            throw new IllegalArgumentException("the manifest's sample_shape must be [C, H, W]; found "
                    + Arrays.toString(sampleShape));
        }
    }
}
