package bragg.worker.model;

import bragg.worker.model.layers.PatchEmbedding;
import bragg.worker.model.layers.PositionEmbedding;
import bragg.worker.model.layers.TokenGroupPooling;
import bragg.worker.model.layers.TokenLinear;
import bragg.worker.model.layers.TokenPooling;
import org.deeplearning4j.nn.conf.ComputationGraphConfiguration;
import org.deeplearning4j.nn.conf.inputs.InputType;
import org.deeplearning4j.nn.graph.ComputationGraph;
import org.nd4j.linalg.learning.config.Adam;
import org.nd4j.linalg.learning.config.IUpdater;

/**
 * The {@code scan} model: the N = w x w patterns of a scan window are one token sequence, and the
 * head judges the centre position with its neighbours. A sample is [B, N, H, W] (the window's
 * patterns stacked on the channel axis, row-major over the window). Each pattern is embedded to
 * one token by a small encoder whose weights all N patterns share:
 * <pre>
 *   window [B, N, H, W] -> patch [B, D, N*Np]   P x P patches of every pattern, shared projection
 *     -> ppos     fixed 2-D positions of the patch grid, the same in every pattern
 *     -> encoder  per-token D -> D with GELU (shared)                                 [B, D, N*Np]
 *     -> pattern  mean of each pattern's Np tokens                                     [B, D, N]
 *     -> pos      window positions (learned, or 2-D sinusoidal over the w x w grid)
 *     -> block0..block{S-1} (flash kernels; sequence length N) -> lnf
 *     -> centre   token N/2 [B, D] -> out [B, outputs]
 * </pre>
 * Defaults (3x3 window of 64x64, P 8, D 128, H 4, 4 blocks, 2 classes): {@value #DEFAULT_PARAMS} parameters.
 */
public final class ScanModel {
    public static final String INPUT = "window";
    public static final String OUTPUT = "out";
    /** Parameter count of the default config (checked by the tests). */
    public static final long DEFAULT_PARAMS = 818_434;

    private ScanModel() {
    }

    /** The model with Adam at the config's learning rate, initialized from its seed. */
    public static ComputationGraph build(ScanConfig c) {
        return build(c, new Adam(c.learningRate));
    }

    /** The model with the given updater (gradient checks use NoOp). */
    public static ComputationGraph build(ScanConfig c, IUpdater updater) {
        return Graphs.init(configuration(c, updater));
    }

    public static ComputationGraphConfiguration configuration(ScanConfig c, IUpdater updater) {
        c.validate();
        int n = c.patterns();
        ComputationGraphConfiguration.GraphBuilder g = Graphs.base(c.seed, updater, c.dataType)
                .addInputs(INPUT)
                .setInputTypes(InputType.convolutional(c.height, c.width, n));
        g.addLayer("patch", PatchEmbedding.builder().name("patch").image(n, c.height, c.width).patch(c.patch)
                .width(c.dim).perChannel(true).build(), INPUT);
        g.addLayer("ppos", PositionEmbedding.builder().name("ppos").width(c.dim).kind(PositionEmbedding.Kind.SINUSOIDAL_2D)
                .grid(c.height / c.patch, c.width / c.patch).groups(n).build(), "patch");
        g.addLayer("encoder", TokenLinear.builder().name("encoder").sizes(c.dim, c.dim).gelu(true).build(), "ppos");
        g.addLayer("pattern", TokenGroupPooling.builder().name("pattern").width(c.dim).groupSize(c.patchesPerPattern())
                .build(), "encoder");
        Graphs.positions(g, "pos", "pattern", c.positions, c.dim, n, c.window, c.window, 0, 1);
        String last = Graphs.encoder(g, "pos", "block", c.blocks, c.dim, c.heads, c.mlpHidden, c.attentionDevice);
        last = Graphs.finalNorm(g, last, "lnf", c.dim);
        g.addLayer("centre", TokenPooling.builder().name("centre").width(c.dim).mode(TokenPooling.Mode.TOKEN)
                .token(c.centre()).build(), last);
        Graphs.head(g, OUTPUT, "centre", c.dim, c.head, c.outputs);
        g.setOutputs(OUTPUT);
        return g.build();
    }
}
