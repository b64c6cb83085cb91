package bragg.worker.model;

import bragg.worker.model.layers.PatchEmbedding;
import bragg.worker.model.layers.TokenPooling;
import org.deeplearning4j.nn.conf.ComputationGraphConfiguration;
import org.deeplearning4j.nn.conf.inputs.InputType;
import org.deeplearning4j.nn.graph.ComputationGraph;
import org.nd4j.linalg.learning.config.Adam;
import org.nd4j.linalg.learning.config.IUpdater;

/**
 * The {@code vit} model: a diffraction pattern [B, C, H, W] is cut into patches, tokens get
 * positions (and a class token), go through N pre-LN encoder blocks, a final layer norm, pooling
 * (class token or mean) and a head (softmax classification or MSE regression).
 * <pre>
 *   pattern [B, C, H, W] -> patch [B, D, T] -> pos -> block0..block{N-1} -> ln_f -> pool [B, D] -> out [B, outputs]
 * </pre>
 * With a class token the last block outputs that token alone ([B, D, 1]; its query still
 * attends over every token), since the pooling reads nothing else.
 *
 * Defaults (64x64, P 8, D 128, H 4, 4 blocks, class token, 2 classes): T = 65 tokens and
 * {@value #DEFAULT_PARAMS} parameters.
 */
public final class VitModel {
    public static final String INPUT = "pattern";
    public static final String OUTPUT = "out";
    /** Parameter count of the default config (checked by the tests). */
    public static final long DEFAULT_PARAMS = 810_370;

    private VitModel() {
    }

    /** The model with Adam at the config's learning rate, initialized from its seed. */
    public static ComputationGraph build(VitConfig c) {
        return build(c, new Adam(c.learningRate));
    }

    /** The model with the given updater (gradient checks use NoOp). */
    public static ComputationGraph build(VitConfig c, IUpdater updater) {
        return Graphs.init(configuration(c, updater));
    }

    public static ComputationGraphConfiguration configuration(VitConfig c, IUpdater updater) {
        return configuration(c, updater, true);
    }

    /**
     * @param prune with a class token, the last block computes the class token's output only (the
     *              head reads nothing else): the same function, about 10/12 of one block's work
     *              less. false: every token's, for the tests that show the two agree.
     */
    static ComputationGraphConfiguration configuration(VitConfig c, IUpdater updater, boolean prune) {
        c.validate();
        int gh = c.height / c.patch, gw = c.width / c.patch;
        ComputationGraphConfiguration.GraphBuilder g = Graphs.base(c.seed, updater, c.dataType)
                .addInputs(INPUT)
                .setInputTypes(InputType.convolutional(c.height, c.width, c.channels));
        g.addLayer("patch", PatchEmbedding.builder().name("patch").image(c.channels, c.height, c.width).patch(c.patch)
                .width(c.dim).classToken(c.classToken).build(), INPUT);
        Graphs.positions(g, "pos", "patch", c.positions, c.dim, c.tokens(), gh, gw, c.classToken ? 1 : 0, 1);
        String last = Graphs.encoder(g, "pos", "block", c.blocks, c.dim, c.heads, c.mlpHidden, c.attentionDevice,
                prune && c.classToken ? 1 : 0);
        last = Graphs.finalNorm(g, last, "lnf", c.dim);
        g.addLayer("pool", TokenPooling.builder().name("pool").width(c.dim)
                .mode(c.classToken ? TokenPooling.Mode.CLASS_TOKEN : TokenPooling.Mode.MEAN).build(), last);
        Graphs.head(g, OUTPUT, "pool", c.dim, c.head, c.outputs);
        g.setOutputs(OUTPUT);
        return g.build();
    }
}
