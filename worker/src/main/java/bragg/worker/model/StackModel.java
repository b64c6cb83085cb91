package bragg.worker.model;

import bragg.worker.model.layers.CrossAttentionBlock;
import bragg.worker.model.layers.PatchEmbedding;
import bragg.worker.model.layers.TokenPooling;
import bragg.worker.model.layers.TokenSlice;
import org.deeplearning4j.nn.conf.ComputationGraphConfiguration;
import org.deeplearning4j.nn.conf.inputs.InputType;
import org.deeplearning4j.nn.conf.layers.RnnOutputLayer;
import org.deeplearning4j.nn.graph.ComputationGraph;
import org.nd4j.linalg.activations.Activation;
import org.nd4j.linalg.learning.config.Adam;
import org.nd4j.linalg.learning.config.IUpdater;
import org.nd4j.linalg.lossfunctions.LossFunctions;

/**
 * The {@code stack} model for LPBF layer stacks. A sample is one tensor [B, K+1, H, W] as the
 * preprocess job writes it: channel 0 is layer k, channels 1..K are layers k-1..k-K. Every layer is
 * cut into the same N patches with shared weights (tokens channel-major: layer k's N tokens first);
 * layer k's patches are the queries and the patches of the K layers below the keys and values:
 * <pre>
 *   stack [B, K+1, H, W] -> patch [B, D, (K+1)N] -> pos
 *     -> cross0..cross{C-1}   q = layer k's N tokens attend to the K*N tokens below    [B, D, (K+1)N]
 *     -> queries              layer k's tokens                                        [B, D, N]
 *     -> block0..block{S-1} -> lnf
 *     per-layer head: pool (mean) [B, D] -> out [B, classes]          (training from shards)
 *     per-patch head: out [B, classes, N] (softmax per patch token)    (defect maps)
 * </pre>
 * Without cross-attention ({@code crossAttention = false}) the layers below are dropped right
 * after the position layer and cross0.. are self-attention blocks over layer k's tokens, so the
 * two models differ only in what the first C blocks attend to.
 * Defaults (K 4, 64x64, P 8, D 128, H 4, 2 cross + 2 self blocks, 2 classes): N = 64, and
 * {@value #DEFAULT_PARAMS} parameters.
 */
public final class StackModel {
    public static final String INPUT = "stack";
    public static final String OUTPUT = "out";
    /** Parameter count of the default config (checked by the tests). */
    public static final long DEFAULT_PARAMS = 843_394;

    private StackModel() {
    }

    /** The model with Adam at the config's learning rate, initialized from its seed. */
    public static ComputationGraph build(StackConfig c) {
        return build(c, new Adam(c.learningRate));
    }

    /** The model with the given updater (gradient checks use NoOp). */
    public static ComputationGraph build(StackConfig c, IUpdater updater) {
        return Graphs.init(configuration(c, updater));
    }

    public static ComputationGraphConfiguration configuration(StackConfig c, IUpdater updater) {
        c.validate();
        int gh = c.height / c.patch, gw = c.width / c.patch, n = c.patchesPerLayer();
        ComputationGraphConfiguration.GraphBuilder g = Graphs.base(c.seed, updater, c.dataType)
                .addInputs(INPUT)
                .setInputTypes(InputType.convolutional(c.height, c.width, c.channels()));
        g.addLayer("patch", PatchEmbedding.builder().name("patch").image(c.channels(), c.height, c.width).patch(c.patch)
                .width(c.dim).perChannel(true).build(), INPUT);
        Graphs.positions(g, "pos", "patch", c.positions, c.dim, c.channels() * n, gh, gw, 0, c.channels());
        String last;
        if (c.crossAttention) {
            last = "pos";
            for (int i = 0; i < c.crossBlocks; i++) {
                String name = "cross" + i;
                g.addLayer(name, CrossAttentionBlock.builder().name(name).width(c.dim).heads(c.heads).hidden(c.mlpHidden)
                        .queryLength(n).device(c.attentionDevice).build(), last);
                last = name;
            }
            g.addLayer("queries", TokenSlice.builder().name("queries").width(c.dim).range(0, n).build(), last);
            last = "queries";
        } else {
            g.addLayer("queries", TokenSlice.builder().name("queries").width(c.dim).range(0, n).build(), "pos");
            last = Graphs.encoder(g, "queries", "cross", c.crossBlocks, c.dim, c.heads, c.mlpHidden, c.attentionDevice);
        }
        last = Graphs.encoder(g, last, "block", c.blocks, c.dim, c.heads, c.mlpHidden, c.attentionDevice);
        last = Graphs.finalNorm(g, last, "lnf", c.dim);
        if (c.head.equals("per-layer")) {
            g.addLayer("pool", TokenPooling.builder().name("pool").width(c.dim).mode(TokenPooling.Mode.MEAN).build(), last);
            Graphs.head(g, OUTPUT, "pool", c.dim, "classification", c.outputs);
        } else {
            g.addLayer(OUTPUT, new RnnOutputLayer.Builder().nIn(c.dim).nOut(c.outputs).activation(Activation.SOFTMAX)
                    .lossFunction(LossFunctions.LossFunction.MCXENT).build(), last);
        }
        g.setOutputs(OUTPUT);
        return g.build();
    }
}
