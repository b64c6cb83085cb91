package bragg.worker.model;

import bragg.worker.model.layers.LayerNorm;
import bragg.worker.model.layers.PositionEmbedding;
import bragg.worker.model.layers.TransformerBlock;
import org.deeplearning4j.nn.conf.ComputationGraphConfiguration;
import org.deeplearning4j.nn.conf.NeuralNetConfiguration;
import org.deeplearning4j.nn.conf.WorkspaceMode;
import org.deeplearning4j.nn.conf.layers.OutputLayer;
import org.deeplearning4j.nn.graph.ComputationGraph;
import org.deeplearning4j.nn.weights.WeightInit;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.activations.Activation;
import org.nd4j.linalg.learning.config.IUpdater;
import org.nd4j.linalg.lossfunctions.LossFunctions;

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

    /**
     * Adds the position layer {@code name}: "learned" ([D, T] parameters) or "sinusoidal" (fixed
     * 2-D for a gh x gw grid, {@code groups} copies after {@code prefix} tokens without one).
     */
    static void positions(ComputationGraphConfiguration.GraphBuilder g, String name, String input, String kind, int dim,
                          int tokens, int gh, int gw, int prefix, int groups) {
        PositionEmbedding.Builder pos = PositionEmbedding.builder().name(name).width(dim);
        if (kind.equals("learned")) {
            pos.kind(PositionEmbedding.Kind.LEARNED).length(tokens);
        } else {
            pos.kind(PositionEmbedding.Kind.SINUSOIDAL_2D).grid(gh, gw).prefix(prefix).groups(groups);
        }
        g.addLayer(name, pos.build(), input);
    }

    /** Adds {@code n} pre-LN encoder blocks named prefix0.. after {@code input}; returns the last name. */
    static String encoder(ComputationGraphConfiguration.GraphBuilder g, String input, String prefix, int n, int dim,
                          int heads, int hidden, String device) {
        return encoder(g, input, prefix, n, dim, heads, hidden, device, 0);
    }

    /** As above, the last block outputting only its first {@code lastOutputs} tokens (0 = every token). */
    static String encoder(ComputationGraphConfiguration.GraphBuilder g, String input, String prefix, int n, int dim,
                          int heads, int hidden, String device, int lastOutputs) {
        String last = input;
        for (int i = 0; i < n; i++) {
            String name = prefix + i;
            g.addLayer(name, TransformerBlock.builder().name(name).width(dim).heads(heads).hidden(hidden).device(device)
                    .outputTokens(i == n - 1 ? lastOutputs : 0).build(), last);
            last = name;
        }
        return last;
    }

    /** Adds the final layer norm; returns its name. */
    static String finalNorm(ComputationGraphConfiguration.GraphBuilder g, String input, String name, int dim) {
        g.addLayer(name, LayerNorm.builder().name(name).width(dim).build(), input);
        return name;
    }

    /**
     * Adds the per-item head {@code name} on pooled features [B, D]: softmax + cross-entropy
     * ("classification") or identity + MSE ("regression"), [B, outputs].
     */
    static void head(ComputationGraphConfiguration.GraphBuilder g, String name, String input, int dim, String head,
                     int outputs) {
        boolean classify = head.equals("classification");
        g.addLayer(name, new OutputLayer.Builder()
                .nIn(dim).nOut(outputs)
                .activation(classify ? Activation.SOFTMAX : Activation.IDENTITY)
                .lossFunction(classify ? LossFunctions.LossFunction.MCXENT : LossFunctions.LossFunction.MSE)
                .build(), input);
    }

    static ComputationGraph init(ComputationGraphConfiguration conf) {
        ComputationGraph graph = new ComputationGraph(conf);
        graph.init();
        return graph;
    }
}
