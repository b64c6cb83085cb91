package bragg.worker.model;

import bragg.worker.model.layers.LayerNorm;
import bragg.worker.model.layers.TransformerBlock;
import org.deeplearning4j.nn.conf.ComputationGraphConfiguration;
import org.deeplearning4j.nn.conf.NeuralNetConfiguration;
import org.deeplearning4j.nn.conf.WorkspaceMode;
import org.deeplearning4j.nn.graph.ComputationGraph;
import org.deeplearning4j.nn.weights.WeightInit;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.learning.config.IUpdater;

/** What the model builders share: the graph's global settings and the chain of encoder blocks. */
final class Graphs {
    private Graphs() {
    }

    /**
     * A graph builder with the model's seed, updater and precision. Workspaces stay ENABLED (DL4J's
     * default): the bragg layers copy their outputs and input gradients into the manager's
     * workspaces (see BraggLayer).
     */
    static ComputationGraphConfiguration.GraphBuilder base(long seed, IUpdater updater, String dataType) {
        return new NeuralNetConfiguration.Builder()
                .seed(seed)
                .updater(updater)
                .dataType(dataType.equals("double") ? DataType.DOUBLE : DataType.FLOAT)
                .weightInit(WeightInit.XAVIER)
                .trainingWorkspaceMode(WorkspaceMode.ENABLED)
                .inferenceWorkspaceMode(WorkspaceMode.ENABLED)
                .graphBuilder();
    }

    /** Adds {@code n} pre-LN encoder blocks named prefix0.. after {@code input}; returns the last name. */
    static String encoder(ComputationGraphConfiguration.GraphBuilder g, String input, String prefix, int n, int dim,
                          int heads, int hidden, String device) {
        String last = input;
        for (int i = 0; i < n; i++) {
            String name = prefix + i;
            g.addLayer(name, TransformerBlock.builder().name(name).width(dim).heads(heads).hidden(hidden).device(device)
                    .build(), last);
            last = name;
        }
        return last;
    }

    /** Adds the final layer norm; returns its name. */
    static String finalNorm(ComputationGraphConfiguration.GraphBuilder g, String input, String name, int dim) {
        g.addLayer(name, LayerNorm.builder().name(name).width(dim).build(), input);
        return name;
    }

    static ComputationGraph init(ComputationGraphConfiguration conf) {
        ComputationGraph graph = new ComputationGraph(conf);
        graph.init();
        return graph;
    }
}
