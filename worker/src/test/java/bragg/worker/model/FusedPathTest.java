package bragg.worker.model;

import static org.junit.jupiter.api.Assertions.assertTrue;

import org.deeplearning4j.nn.graph.ComputationGraph;
import org.junit.jupiter.api.Test;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.learning.config.NoOp;

/**
 * The fused float32 layers (FusedBlock, FusedPatchEmbedding, the fused position, layer-norm and
 * pooling paths) against the plain reference ops run in float64 on the same parameters: outputs
 * and every parameter gradient, over batches of changing size (buffers grown, then reused by a
 * smaller batch), in training and in inference.
 */
class FusedPathTest {

    private static VitConfig config(String dataType, boolean classToken, String positions, int channels) {
        VitConfig c = new VitConfig();
        c.height = 16;
        c.width = 16;
        c.channels = channels;
        c.patch = 4;
        c.dim = 24;            // not a multiple of the SIMD width: the vector tails run too
        c.heads = 3;
        c.blocks = 2;
        c.mlpHidden = 40;
        c.outputs = 3;
        c.classToken = classToken;
        c.positions = positions;
        c.attentionDevice = "java";
        c.dataType = dataType;
        return c;
    }

    @Test
    void fusedFloatMatchesTheDoubleReference() {
        for (boolean cls : new boolean[]{true, false}) {
            String pos = cls ? "learned" : "sinusoidal";
            int channels = cls ? 1 : 2;
            ComputationGraph fused = VitModel.build(config("float", cls, pos, channels), new NoOp());
            ComputationGraph reference = VitModel.build(config("double", cls, pos, channels), new NoOp());
            reference.params().assign(fused.params().castTo(DataType.DOUBLE));
            for (int batch : new int[]{5, 2, 7}) {
                String what = "classToken=" + cls + " positions=" + pos + " C=" + channels + " B=" + batch;
                Nd4j.getRandom().setSeed(11 + batch);
                INDArray x = Nd4j.rand(DataType.DOUBLE, batch, channels, 16, 16).muli(2).subi(1);
                INDArray y = TestGraphs.oneHot(batch, 3);

                reference.setInputs(x);
                reference.setLabels(y);
                reference.computeGradientAndScore();
                INDArray refGrad = reference.getFlattenedGradients().dup();
                fused.setInputs(x.castTo(DataType.FLOAT));
                fused.setLabels(y.castTo(DataType.FLOAT));
                fused.computeGradientAndScore();
                INDArray fusedGrad = fused.getFlattenedGradients().castTo(DataType.DOUBLE);

                assertClose(what + " loss", Nd4j.scalar(reference.score()), Nd4j.scalar(fused.score()), 1e-4);
                for (var layer : fused.getLayers()) {
                    for (String key : layer.paramTable().keySet()) {
                        String name = layer.conf().getLayer().getLayerName();
                        assertClose(what + " gradient of layer " + name,
                                reference.getLayer(layer.conf().getLayer().getLayerName()).getGradientsViewArray(),
                                layer.getGradientsViewArray().castTo(DataType.DOUBLE), 2e-3);
                        break; // the layer's whole gradient view covers all of its keys
                    }
                }
                assertClose(what + " flat gradient", refGrad, fusedGrad, 2e-3);
                INDArray refOut = reference.outputSingle(x);
                INDArray fusedOut = fused.outputSingle(x.castTo(DataType.FLOAT)).castTo(DataType.DOUBLE);
                assertClose(what + " inference output", refOut, fusedOut, 1e-4);
            }
        }
    }

    /**
     * Inference runs in chunks of whole samples (FusedBlock.INFERENCE_CHUNK_ROWS rows): a batch
     * of several chunks plus a shorter last one, then a batch of one chunk again, against the
     * double reference.
     */
    @Test
    void chunkedInferenceMatchesTheDoubleReference() {
        ComputationGraph fused = VitModel.build(config("float", true, "learned", 1), new NoOp());
        ComputationGraph reference = VitModel.build(config("double", true, "learned", 1), new NoOp());
        reference.params().assign(fused.params().castTo(DataType.DOUBLE));
        int tokens = 17; // 4 x 4 patches and the class token
        int chunk = bragg.worker.model.ops.FusedBlock.INFERENCE_CHUNK_ROWS / tokens;
        for (int batch : new int[]{2 * chunk + 7, chunk, 3}) {
            Nd4j.getRandom().setSeed(5 + batch);
            INDArray x = Nd4j.rand(DataType.DOUBLE, batch, 1, 16, 16).muli(2).subi(1);
            assertClose("inference output, B=" + batch, reference.outputSingle(x),
                    fused.outputSingle(x.castTo(DataType.FLOAT)).castTo(DataType.DOUBLE), 1e-4);
        }
    }

    /**
     * With a class token the vit's last block outputs that token alone: the same loss, gradients
     * and predictions as the block computing every token, in float64 (to rounding) and in the
     * fused float32 path (the pruned graph's own reference is the test above).
     */
    @Test
    void lastBlockOnTheClassTokenAloneIsTheSameFunction() {
        for (String type : new String[]{"double", "float"}) {
            VitConfig c = config(type, true, "learned", 1);
            ComputationGraph pruned = VitModel.build(c, new NoOp());
            ComputationGraph full = Graphs.init(VitModel.configuration(c, new NoOp(), false));
            full.params().assign(pruned.params());
            assertTrue(pruned.getConfiguration().toJson().contains("\"outputTokens\" : 1"), "pruned graph's last block");
            double tol = type.equals("double") ? 1e-12 : 1e-5;
            DataType dt = type.equals("double") ? DataType.DOUBLE : DataType.FLOAT;
            for (int batch : new int[]{4, 9}) {
                Nd4j.getRandom().setSeed(21 + batch);
                INDArray x = Nd4j.rand(dt, batch, 1, 16, 16).muli(2).subi(1);
                INDArray y = TestGraphs.oneHot(batch, 3).castTo(dt);
                double[] scores = new double[2];
                INDArray[] grads = new INDArray[2];
                ComputationGraph[] graphs = {full, pruned};
                for (int i = 0; i < 2; i++) {
                    graphs[i].setInputs(x);
                    graphs[i].setLabels(y);
                    graphs[i].computeGradientAndScore();
                    scores[i] = graphs[i].score();
                    grads[i] = graphs[i].getFlattenedGradients().dup();
                }
                String what = type + " B=" + batch;
                assertClose(what + " loss", Nd4j.scalar(scores[0]), Nd4j.scalar(scores[1]), tol);
                assertClose(what + " flat gradient", grads[0], grads[1], 10 * tol);
                assertClose(what + " inference output", full.outputSingle(x), pruned.outputSingle(x), tol);
            }
        }
    }

    /** ||actual - expected|| <= tol * max(||expected||, 1e-6). */
    private static void assertClose(String what, INDArray expected, INDArray actual, double tol) {
        double err = expected.castTo(DataType.DOUBLE).sub(actual.castTo(DataType.DOUBLE)).norm2Number().doubleValue();
        double ref = Math.max(expected.norm2Number().doubleValue(), 1e-6);
        assertTrue(err <= tol * ref, what + ": relative error " + err / ref + " > " + tol);
    }
}
