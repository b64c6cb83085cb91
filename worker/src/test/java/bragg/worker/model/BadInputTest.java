package bragg.worker.model;

import bragg.worker.model.layers.CrossAttentionBlock;
import bragg.worker.model.layers.MultiHeadAttention;
import bragg.worker.model.layers.TokenLinear;
import bragg.worker.model.layers.TransformerBlock;
import org.deeplearning4j.nn.conf.inputs.InputType;
import org.deeplearning4j.nn.graph.ComputationGraph;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.function.Executable;
import org.nd4j.linalg.api.ndarray.INDArray;

import static bragg.worker.model.TestGraphs.chain;
import static bragg.worker.model.TestGraphs.lengths;
import static bragg.worker.model.TestGraphs.random;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Bad shapes and sizes stop with an error that names the layer (or config field) and the sizes. */
class BadInputTest {

    private static void fails(String expected, Executable what) {
        Throwable e = assertThrows(Throwable.class, what);
        while (!(e instanceof IllegalArgumentException) && e.getCause() != null) {
            e = e.getCause(); // DL4J wraps some errors of graph construction
        }
        assertTrue(String.valueOf(e.getMessage()).contains(expected), "expected a message containing '" + expected
                + "', found: " + e.getMessage());
    }

    @Test
    void wrongInputShapesAtTheFirstForward() {
        ComputationGraph vit = VitModel.build(VitModelTest.tiny());
        fails("PatchEmbedding 'patch': expected input [B, C, H, W] = [any, 1, 8, 8], found [2, 1, 16, 16]",
                () -> vit.outputSingle(random(1, 2, 1, 16, 16)));
        ComputationGraph stack = StackModel.build(StackModelTest.tiny());
        fails("PatchEmbedding 'patch': expected input [B, C, H, W] = [any, 3, 8, 8], found [2, 2, 8, 8]",
                () -> stack.outputSingle(random(2, 2, 2, 8, 8)));
        ComputationGraph scan = ScanModel.build(ScanModelTest.tiny());
        fails("PatchEmbedding 'patch': expected input [B, C, H, W] = [any, 9, 4, 4], found [1, 25, 4, 4]",
                () -> scan.outputSingle(random(3, 1, 25, 4, 4)));
        ComputationGraph mha = chain(InputType.recurrent(8, 5), 8, true, 2,
                MultiHeadAttention.builder().name("mha").width(8).heads(2).build());
        fails("MultiHeadAttention 'mha': expected input [B, D, T] = [any, 8, any], found [2, 6, 5]",
                () -> mha.outputSingle(random(4, 2, 6, 5)));
    }

    @Test
    void keyPaddingMustBeTrailing() {
        ComputationGraph g = chain(InputType.recurrent(8, 4), 8, true, 2,
                TransformerBlock.builder().name("block").width(8).heads(2).build());
        INDArray mask = lengths(4, 4);
        mask.putScalar(0, 1, 0.0); // a hole before real tokens
        fails("TransformerBlock 'block': feature mask row 0 has a real token at 2 after padding at 1",
                () -> g.output(false, new INDArray[]{random(5, 1, 8, 4)}, new INDArray[]{mask}));
    }

    @Test
    void headsThatDoNotDivideTheWidth() {
        fails("TransformerBlock 'block': width D = 8 is not divisible by heads H = 3",
                () -> TransformerBlock.builder().name("block").width(8).heads(3).build());
        fails("MultiHeadAttention 'mha': heads H must be >= 1; found 0",
                () -> MultiHeadAttention.builder().name("mha").width(8).heads(0).build());
        fails("CrossAttentionBlock 'cross': head width D/H = 256 is above the kernels' maximum 128",
                () -> CrossAttentionBlock.builder().name("cross").width(512).heads(2).queryLength(4).build());
        VitConfig v = new VitConfig();
        v.heads = 3;
        fails("vit.dim = 128 is not divisible by vit.heads = 3", v::validate);
        StackConfig s = new StackConfig();
        s.dim = 100;
        s.heads = 8;
        fails("stack.dim = 100 is not divisible by stack.heads = 8", s::validate);
        ScanConfig c = new ScanConfig();
        c.dim = 96;
        c.heads = 5;
        fails("scan.dim = 96 is not divisible by scan.heads = 5", c::validate);
    }

    @Test
    void mismatchedSizesBetweenLayersAtGraphBuild() {
        fails("TransformerBlock 'block': expected token width D = 8, found D = 16",
                () -> chain(InputType.recurrent(6, 5), 8, true, 2,
                        TokenLinear.builder().name("lin").sizes(6, 16).build(),
                        TransformerBlock.builder().name("block").width(8).heads(2).build()));
        fails("CrossAttentionBlock 'cross': input needs Tq = 5 query tokens followed by at least one key token; found T = 5",
                () -> chain(InputType.recurrent(8, 5), 8, true, 2,
                        CrossAttentionBlock.builder().name("cross").width(8).heads(2).queryLength(5).build()));
    }

    @Test
    void badModelConfigs() {
        ScanConfig c = new ScanConfig();
        c.window = 4;
        fails("scan.window = 4 must be odd", c::validate);
        StackConfig s = new StackConfig();
        s.patch = 6;
        fails("stack.height = 64 is not divisible by stack.patch = 6", s::validate);
        s = new StackConfig();
        s.crossBlocks = 0;
        fails("stack.crossBlocks must be > 0; found 0", s::validate);
        s = new StackConfig();
        s.attentionDevice = "cuda";
        fails("stack.attentionDevice = 'cuda' is not an attention device", s::validate);
    }
}
