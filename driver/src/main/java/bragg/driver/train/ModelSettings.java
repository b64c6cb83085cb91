package bragg.driver.train;

import bragg.worker.model.PatchModelConfig;
import bragg.worker.model.ScanConfig;
import bragg.worker.model.ScanModel;
import bragg.worker.model.StackConfig;
import bragg.worker.model.StackModel;
import bragg.worker.model.VitConfig;
import bragg.worker.model.VitModel;
import java.util.Arrays;
import java.util.Map;
import org.deeplearning4j.nn.conf.ComputationGraphConfiguration;
import org.nd4j.linalg.learning.config.Adam;

/**
 * The model a training run builds, as {@code bragg train}'s {@code bragg.model.*} keys and the
 * bragg.ml estimators' params both give it: one mapping onto the worker's model configs, so the
 * CLI and Spark ML train the same network from the same settings. The input sizes come from the
 * data (the manifest's sample shape, or the features column's), never from the settings, so a
 * model always fits what it is trained on: the {@link PatchModelConfig} fields this class inherits
 * (patch, dim, heads, blocks, mlpHidden, positions, learningRate, seed, attentionDevice, with their
 * defaults) are copied onto the model's config, except height, width and outputs, which the data
 * gives. The defaults are those of BraggKeys.
 */
public final class ModelSettings extends PatchModelConfig {
    /** vit, stack or scan. */
    public String kind = "vit";
    /** vit: pool a class token (else the mean of the patch tokens). */
    public boolean classToken = true;
    /** classification (softmax, cross-entropy on labels) or regression (identity, MSE on targets). */
    public String head = "classification";
    /** stack only. */
    public int crossBlocks = 2;
    /** stack only. */
    public boolean crossAttention = true;
    /** scan only: odd side of the window. */
    public int window = 3;
    /** How errors name the settings and the sample shape (config keys for the CLI, params for Spark ML). */
    public Naming naming = new Naming(Map.of(), "the sample shape", "give each sample K+1 >= 2 layers");

    /**
     * How the caller names things in errors.
     *
     * @param names      setting field -> the caller's name (e.g. window -> bragg.model.window, kind -> modelKind)
     * @param shape      what the sample shape is called (e.g. "the manifest's sample_shape")
     * @param moreLayers how to give the stack model the layers below (e.g. which key to set)
     */
    public record Naming(Map<String, String> names, String shape, String moreLayers) {
        public Naming {
            names = Map.copyOf(names);
        }

        String of(String field) {
            return names.getOrDefault(field, field);
        }
    }

    public boolean regression() {
        return head.equals("regression");
    }

    /** The worker's config of this kind for samples of {@code sampleShape} ([C, H, W]), validated. */
    public PatchModelConfig config(int[] sampleShape, int outputs) {
        if (sampleShape == null || sampleShape.length != 3) {
            throw new IllegalArgumentException(naming.shape() + " must be [C, H, W]; found " + Arrays.toString(sampleShape));
        }
        return switch (kind) {
            case "vit" -> vit(sampleShape, outputs);
            case "stack" -> stack(sampleShape, outputs);
            case "scan" -> scan(sampleShape, outputs);
            default -> throw new IllegalArgumentException(naming.of("kind") + " = " + kind + " is not one of vit, stack, scan");
        };
    }

    /** The graph configuration (Adam at the learning rate; the run's AdamW schedule is applied by {@link TrainingRun}). */
    public ComputationGraphConfiguration configuration(int[] sampleShape, int outputs) {
        PatchModelConfig m = config(sampleShape, outputs);
        Adam adam = new Adam(learningRate);
        if (m instanceof StackConfig s) {
            return StackModel.configuration(s, adam);
        }
        return m instanceof ScanConfig s ? ScanModel.configuration(s, adam) : VitModel.configuration((VitConfig) m, adam);
    }

    private VitConfig vit(int[] shape, int outputs) {
        VitConfig v = shared(new VitConfig(), shape, outputs);
        v.channels = shape[0];
        v.classToken = classToken;
        v.head = head;
        return v.validate();
    }

    /** LPBF samples [K+1, tile, tile]: channel 0 layer k, channels 1..K the layers below; the per-layer head. */
    private StackConfig stack(int[] shape, int outputs) {
        if (shape[0] < 2) {
            throw new IllegalArgumentException(naming.of("kind") + " = stack needs samples of K+1 >= 2 layers ("
                    + naming.moreLayers() + "); " + naming.shape() + " is " + Arrays.toString(shape));
        }
        if (!head.equals("classification")) {
            throw new IllegalArgumentException(naming.of("head") + " = " + head
                    + ": the stack model classifies (defect or not); use classification");
        }
        StackConfig s = shared(new StackConfig(), shape, outputs);
        s.layersBelow = shape[0] - 1;
        s.crossBlocks = crossBlocks;
        s.crossAttention = crossAttention;
        s.head = "per-layer";
        return s.validate();
    }

    /** Samples of window^2 patterns [N, H, W]. */
    private ScanConfig scan(int[] shape, int outputs) {
        if (shape[0] != window * window) {
            throw new IllegalArgumentException(naming.of("kind") + " = scan with " + naming.of("window") + " = " + window
                    + " needs samples of " + window * window + " patterns stacked on the channel axis; " + naming.shape()
                    + " is " + Arrays.toString(shape));
        }
        ScanConfig s = shared(new ScanConfig(), shape, outputs);
        s.window = window;
        s.head = head;
        return s.validate();
    }

    private <T extends PatchModelConfig> T shared(T m, int[] shape, int outputs) {
        m.height = shape[1];
        m.width = shape[2];
        m.patch = patch;
        m.dim = dim;
        m.heads = heads;
        m.blocks = blocks;
        m.mlpHidden = mlpHidden;
        m.positions = positions;
        m.outputs = outputs;
        m.learningRate = learningRate;
        m.seed = seed;
        m.attentionDevice = attentionDevice;
        return m;
    }
}
