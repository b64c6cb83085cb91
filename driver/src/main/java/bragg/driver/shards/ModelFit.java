package bragg.driver.shards;

import java.io.ByteArrayInputStream;
import java.util.Arrays;
import bragg.worker.model.layers.PatchEmbedding;
import org.deeplearning4j.nn.conf.layers.BaseOutputLayer;
import org.deeplearning4j.nn.conf.layers.Layer;
import org.deeplearning4j.nn.graph.ComputationGraph;
import org.deeplearning4j.util.ModelSerializer;

/**
 * Whether a model file can score a shard folder, decided on the driver before any Spark job: the
 * zip restores as a DL4J graph, its one input is [C, H, W] of the manifest's sample_shape, and a
 * classifier has one output per label name. Without this a truncated zip or a model of another
 * kind of data fails inside every task, as a Spark stack trace.
 */
public final class ModelFit {
    private ModelFit() {
    }

    /**
     * @param model  the zip's bytes; {@code name} names it in every error
     * @param shards the shard folder {@code m} came from, for the errors
     * @return the restored graph
     * @throws IllegalArgumentException naming the model file and the shards, what one has and the other needs
     */
    public static ComputationGraph check(byte[] model, String name, Manifest m, String shards) {
        ComputationGraph g;
        try {
            g = ModelSerializer.restoreComputationGraph(new ByteArrayInputStream(model), false);
        } catch (Exception | Error e) {
            if (e instanceof VirtualMachineError v) {
                throw v;
            }
            throw new IllegalArgumentException(name + ": not a bragg model (a DL4J ComputationGraph zip): "
                    + e.getClass().getSimpleName() + (e.getMessage() == null ? "" : ": " + e.getMessage().lines().findFirst().orElse("")), e);
        }
        // Every bragg model starts with a patch embedding of the input image; its size is the input's.
        PatchEmbedding patch = null;
        for (org.deeplearning4j.nn.api.Layer l : g.getLayers()) {
            if (l.conf().getLayer() instanceof PatchEmbedding p) {
                patch = p;
                break;
            }
        }
        int[] want = m.sampleShape();
        if (patch == null) {
            throw new IllegalArgumentException(name + ": not a bragg model (no patch embedding layer), so it cannot take the "
                    + Arrays.toString(want) + " patterns of " + shards);
        }
        long[] has = {patch.channels(), patch.height(), patch.imageWidth()};
        if (has[0] != want[0] || has[1] != want[1] || has[2] != want[2]) {
            throw new IllegalArgumentException(name + " takes patterns of [C, H, W] = " + Arrays.toString(has) + " but "
                    + shards + " holds " + m.kind() + " samples of " + Arrays.toString(want)
                    + ": the model was trained on another kind of input");
        }
        return g;
    }

    /**
     * Checks that a classifier's output layer has one output per label name of the shards.
     */
    public static void checkClasses(ComputationGraph g, String name, Manifest m, String shards) {
        String[] outs = g.getConfiguration().getNetworkOutputs().toArray(new String[0]);
        Layer l = outs.length == 1 && g.getLayer(outs[0]) != null ? g.getLayer(outs[0]).conf().getLayer() : null;
        if (l instanceof BaseOutputLayer o && o.getNOut() != m.labelNames().size()) {
            throw new IllegalArgumentException(name + " has " + o.getNOut() + " outputs but " + shards + " has "
                    + m.labelNames().size() + " label names " + m.labelNames() + ": the model was trained on other data");
        }
    }
}
