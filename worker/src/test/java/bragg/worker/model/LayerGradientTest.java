package bragg.worker.model;

import bragg.worker.model.layers.CrossAttentionBlock;
import bragg.worker.model.layers.LayerNorm;
import bragg.worker.model.layers.MultiHeadAttention;
import bragg.worker.model.layers.PatchEmbedding;
import bragg.worker.model.layers.PositionEmbedding;
import bragg.worker.model.layers.TokenGroupPooling;
import bragg.worker.model.layers.TokenLinear;
import bragg.worker.model.layers.TokenPooling;
import bragg.worker.model.layers.TokenSlice;
import bragg.worker.model.layers.TransformerBlock;
import org.deeplearning4j.nn.conf.inputs.InputType;
import org.deeplearning4j.nn.graph.ComputationGraph;
import org.junit.jupiter.api.Test;
import org.nd4j.linalg.api.ndarray.INDArray;

import static bragg.worker.model.TestGraphs.chain;
import static bragg.worker.model.TestGraphs.lengths;
import static bragg.worker.model.TestGraphs.random;

/**
 * Double-precision gradient checks of every bragg layer in a tiny graph (D 8, T <= 10), sweeping
 * batch size x heads x masks (none, causal, key padding) x self/cross; each case is named in its
 * assertion.
 */
class LayerGradientTest {
    static final int D = 8;
    static final int[] BATCHES = {1, 3};
    static final int[] HEADS = {1, 2};

    enum Mask { NONE, CAUSAL, KEY_PADDING }

    /** Per-item key lengths for key padding over {@code t} keys: some full, some short, at least one key. */
    static int[] keyLengths(int batch, int t) {
        int[] l = new int[batch];
        for (int b = 0; b < batch; b++) {
            l[b] = Math.max(1, t - 2 * b - 1);
        }
        return l;
    }

    @Test
    void multiHeadAttentionSelfAndCross() {
        for (int batch : BATCHES) {
            for (int heads : HEADS) {
                for (Mask mask : Mask.values()) {
                    for (boolean cross : new boolean[]{false, true}) {
                        if (cross && mask == Mask.CAUSAL) {
                            continue; // causal is a self-attention mask
                        }
                        int tq = cross ? 3 : 6, tk = cross ? 5 : 6, t = cross ? tq + tk : tq;
                        String name = "MultiHeadAttention " + (cross ? "cross" : "self") + " B=" + batch + " H=" + heads
                                + " mask=" + mask;
                        ComputationGraph g = chain(InputType.recurrent(D, t), D, true, 3,
                                MultiHeadAttention.builder().name("mha").width(D).heads(heads).queryLength(cross ? tq : 0)
                                        .causal(mask == Mask.CAUSAL).build());
                        INDArray x = random(1, batch, D, t);
                        INDArray y = random(2, batch, 3, tq);
                        INDArray[] inMask = null, outMask = null;
                        if (mask == Mask.KEY_PADDING) {
                            int[] kl = keyLengths(batch, tk);
                            if (cross) {
                                int[] all = new int[batch];
                                for (int b = 0; b < batch; b++) {
                                    all[b] = tq + kl[b];
                                }
                                inMask = new INDArray[]{lengths(t, all)};
                                outMask = new INDArray[]{lengths(tq, full(batch, tq))};
                            } else {
                                inMask = new INDArray[]{lengths(t, kl)};
                                outMask = inMask;
                            }
                        }
                        GradCheck.check(name, g, new INDArray[]{x}, new INDArray[]{y}, inMask, outMask);
                        if (cross && batch == 3 && heads == 2 && mask == Mask.KEY_PADDING) {
                            GradCheck.full(name, g, new INDArray[]{x}, new INDArray[]{y}, inMask, outMask);
                        }
                    }
                }
            }
        }
    }

    @Test
    void transformerBlock() {
        for (int batch : BATCHES) {
            for (int heads : HEADS) {
                for (Mask mask : Mask.values()) {
                    int t = 5;
                    String name = "TransformerBlock B=" + batch + " H=" + heads + " mask=" + mask;
                    ComputationGraph g = chain(InputType.recurrent(D, t), D, true, 3,
                            TransformerBlock.builder().name("block").width(D).heads(heads).hidden(12)
                                    .causal(mask == Mask.CAUSAL).build());
                    INDArray[] m = mask == Mask.KEY_PADDING ? new INDArray[]{lengths(t, keyLengths(batch, t))} : null;
                    GradCheck.check(name, g, new INDArray[]{random(3, batch, D, t)}, new INDArray[]{random(4, batch, 3, t)},
                            m, m);
                }
            }
        }
    }

    /** A block that outputs its leading Q tokens only: their queries over every token's keys. */
    @Test
    void transformerBlockWithFewerOutputs() {
        int t = 5;
        for (int batch : BATCHES) {
            for (int q : new int[]{1, 2}) {
                for (Mask mask : new Mask[]{Mask.NONE, Mask.KEY_PADDING}) {
                    String name = "TransformerBlock outputTokens=" + q + " B=" + batch + " mask=" + mask;
                    ComputationGraph g = chain(InputType.recurrent(D, t), D, true, 3,
                            TransformerBlock.builder().name("block").width(D).heads(2).hidden(12).outputTokens(q).build());
                    INDArray[] inMask = null, outMask = null;
                    if (mask == Mask.KEY_PADDING) {
                        int[] kl = keyLengths(batch, t);
                        for (int b = 0; b < batch; b++) {
                            kl[b] = Math.max(kl[b], q); // the output tokens themselves are real
                        }
                        inMask = new INDArray[]{lengths(t, kl)};
                        outMask = new INDArray[]{lengths(q, full(batch, q))};
                    }
                    GradCheck.check(name, g, new INDArray[]{random(7, batch, D, t)}, new INDArray[]{random(8, batch, 3, q)},
                            inMask, outMask);
                }
            }
        }
    }

    @Test
    void crossAttentionBlockThenSlice() {
        int tq = 3, tk = 4, t = tq + tk;
        for (int batch : BATCHES) {
            for (int heads : HEADS) {
                for (Mask mask : new Mask[]{Mask.NONE, Mask.KEY_PADDING}) {
                    String name = "CrossAttentionBlock + TokenSlice B=" + batch + " H=" + heads + " mask=" + mask;
                    ComputationGraph g = chain(InputType.recurrent(D, t), D, true, 3,
                            CrossAttentionBlock.builder().name("cross0").width(D).heads(heads).hidden(12).queryLength(tq)
                                    .build(),
                            CrossAttentionBlock.builder().name("cross1").width(D).heads(heads).hidden(12).queryLength(tq)
                                    .build(),
                            TokenSlice.builder().name("queries").width(D).range(0, tq).build());
                    INDArray[] inMask = null, outMask = null;
                    if (mask == Mask.KEY_PADDING) {
                        int[] kl = keyLengths(batch, tk);
                        int[] all = new int[batch];
                        for (int b = 0; b < batch; b++) {
                            all[b] = tq + kl[b];
                        }
                        inMask = new INDArray[]{lengths(t, all)};
                        outMask = new INDArray[]{lengths(tq, full(batch, tq))};
                    }
                    GradCheck.check(name, g, new INDArray[]{random(5, batch, D, t)}, new INDArray[]{random(6, batch, 3, tq)},
                            inMask, outMask);
                }
            }
        }
    }

    @Test
    void layerNormOnTokensAndOnFeatures() {
        for (int batch : BATCHES) {
            GradCheck.check("LayerNorm tokens B=" + batch, chain(InputType.recurrent(D, 4), D, true, 3,
                            LayerNorm.builder().name("ln").width(D).build()),
                    new INDArray[]{random(7, batch, D, 4)}, new INDArray[]{random(8, batch, 3, 4)}, null, null);
            GradCheck.check("LayerNorm features B=" + batch, chain(InputType.feedForward(D), D, false, 3,
                            LayerNorm.builder().name("ln").width(D).build()),
                    new INDArray[]{random(9, batch, D)}, new INDArray[]{random(10, batch, 3)}, null, null);
        }
    }

    @Test
    void patchEmbeddingAndPositions() {
        for (int batch : BATCHES) {
            for (boolean perChannel : new boolean[]{false, true}) {
                for (boolean cls : new boolean[]{false, true}) {
                    PatchEmbedding pe = PatchEmbedding.builder().name("patch").image(2, 4, 6).patch(2).width(D)
                            .classToken(cls).perChannel(perChannel).build();
                    int t = pe.tokens();
                    String name = "PatchEmbedding perChannel=" + perChannel + " cls=" + cls + " + LEARNED positions B="
                            + batch;
                    GradCheck.check(name, chain(InputType.convolutional(4, 6, 2), D, true, 3, pe,
                                    PositionEmbedding.builder().name("pos").width(D).length(t).build()),
                            new INDArray[]{random(11, batch, 2, 4, 6)}, new INDArray[]{random(12, batch, 3, t)}, null, null);
                }
            }
            GradCheck.check("PositionEmbedding SINUSOIDAL_1D B=" + batch, chain(InputType.recurrent(D, 5), D, true, 3,
                            TokenLinear.builder().name("lin").sizes(D, D).build(),
                            PositionEmbedding.builder().name("pos").width(D).kind(PositionEmbedding.Kind.SINUSOIDAL_1D).build()),
                    new INDArray[]{random(13, batch, D, 5)}, new INDArray[]{random(14, batch, 3, 5)}, null, null);
            GradCheck.check("PositionEmbedding SINUSOIDAL_2D prefix=1 groups=2 B=" + batch,
                    chain(InputType.recurrent(D, 9), D, true, 3,
                            TokenLinear.builder().name("lin").sizes(D, D).build(),
                            PositionEmbedding.builder().name("pos").width(D).kind(PositionEmbedding.Kind.SINUSOIDAL_2D)
                                    .grid(2, 2).prefix(1).groups(2).build()),
                    new INDArray[]{random(15, batch, D, 9)}, new INDArray[]{random(16, batch, 3, 9)}, null, null);
        }
    }

    @Test
    void poolingSliceLinearAndGroups() {
        for (int batch : BATCHES) {
            for (TokenPooling.Mode mode : TokenPooling.Mode.values()) {
                for (boolean masked : new boolean[]{false, true}) {
                    if (masked && mode != TokenPooling.Mode.MEAN) {
                        continue; // only the mean looks at the mask
                    }
                    String name = "TokenPooling " + mode + (masked ? " masked" : "") + " B=" + batch;
                    GradCheck.check(name, chain(InputType.recurrent(D, 5), D, false, 3,
                                    TokenLinear.builder().name("lin").sizes(D, D).gelu(true).build(),
                                    TokenPooling.builder().name("pool").width(D).mode(mode).token(2).build()),
                            new INDArray[]{random(17, batch, D, 5)}, new INDArray[]{random(18, batch, 3)},
                            masked ? new INDArray[]{lengths(5, keyLengths(batch, 5))} : null, null);
                }
            }
            for (boolean gelu : new boolean[]{false, true}) {
                GradCheck.check("TokenLinear gelu=" + gelu + " + TokenSlice B=" + batch,
                        chain(InputType.recurrent(6, 5), D, true, 3,
                                TokenLinear.builder().name("lin").sizes(6, D).gelu(gelu).build(),
                                TokenSlice.builder().name("slice").width(D).range(1, 4).build()),
                        new INDArray[]{random(19, batch, 6, 5)}, new INDArray[]{random(20, batch, 3, 3)}, null, null);
            }
            GradCheck.check("TokenGroupPooling S=3 B=" + batch, chain(InputType.recurrent(D, 9), D, true, 3,
                            TokenLinear.builder().name("lin").sizes(D, D).gelu(true).build(),
                            TokenGroupPooling.builder().name("groups").width(D).groupSize(3).build()),
                    new INDArray[]{random(21, batch, D, 9)}, new INDArray[]{random(22, batch, 3, 3)}, null, null);
        }
    }

    private static int[] full(int batch, int t) {
        int[] l = new int[batch];
        java.util.Arrays.fill(l, t);
        return l;
    }
}
