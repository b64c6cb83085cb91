package bragg.worker.model;

import org.deeplearning4j.nn.graph.ComputationGraph;
import org.junit.jupiter.api.Test;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.learning.config.NoOp;

import static bragg.worker.model.TestGraphs.oneHot;
import static bragg.worker.model.TestGraphs.random;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

class StackModelTest {

    /** K 2, 8x8 tiles, P 4 (N = 4 patches per layer), D 8, one cross and one self block, double. */
    static StackConfig tiny() {
        StackConfig c = new StackConfig();
        c.layersBelow = 2;
        c.height = 8;
        c.width = 8;
        c.patch = 4;
        c.dim = 8;
        c.heads = 2;
        c.crossBlocks = 1;
        c.blocks = 1;
        c.mlpHidden = 12;
        c.outputs = 2;
        c.dataType = "double";
        return c;
    }

    @Test
    void defaultParameterCount() {
        // K 4 (5 layers) of 64x64, P 8 shared per layer, D 128 (MLP 512), (K+1) x 64 learned positions,
        // 2 cross + 2 self blocks, 2 classes.
        long d = 128, f = 4 * d;
        long expected = ParameterCounts.linear(8 * 8, d) + 5 * 64 * d + 2 * ParameterCounts.crossBlock(d, f)
                + 2 * ParameterCounts.selfBlock(d, f) + ParameterCounts.layerNorm(d) + ParameterCounts.linear(d, 2);
        assertEquals(expected, StackModel.build(new StackConfig()).numParams(), "parameter count of the default stack");
        assertEquals(expected, StackModel.DEFAULT_PARAMS, "the count StackModel's javadoc states");
    }

    @Test
    void headShapes() {
        StackConfig c = tiny();
        INDArray x = random(1, 2, 3, 8, 8);
        assertArrayEquals(new long[]{2, 2}, StackModel.build(c).outputSingle(x).shape(), "per-layer head [B, classes]");
        c.head = "per-patch";
        assertArrayEquals(new long[]{2, 2, 4}, StackModel.build(c).outputSingle(x).shape(), "per-patch head [B, classes, N]");
    }

    @Test
    void gradientCheckTinyStack() {
        for (boolean cross : new boolean[]{true, false}) {
            for (String head : new String[]{"per-layer", "per-patch"}) {
                for (int heads : new int[]{1, 2}) {
                    {
                        int batch = (heads == 1) == cross ? 3 : 1; // each B with both settings of each flag
                        StackConfig c = tiny();
                        c.crossAttention = cross;
                        c.head = head;
                        c.heads = heads;
                        c.positions = heads == 1 ? "sinusoidal" : "learned";
                        ComputationGraph g = StackModel.build(c, new NoOp());
                        INDArray x = random(7, batch, 3, 8, 8);
                        INDArray y = head.equals("per-layer") ? oneHot(batch, 2) : perPatchLabels(batch, 4);
                        GradCheck.check("stack cross=" + cross + " head=" + head + " H=" + heads + " positions="
                                + c.positions + " B=" + batch, g, new INDArray[]{x}, new INDArray[]{y}, null, null);
                    }
                }
            }
        }
    }

    /** One-hot [B, 2, N]: patch n of item b is class (b + n) % 2. */
    static INDArray perPatchLabels(int batch, int n) {
        INDArray y = Nd4j.zeros(org.nd4j.linalg.api.buffer.DataType.DOUBLE, batch, 2, n);
        for (int b = 0; b < batch; b++) {
            for (int p = 0; p < n; p++) {
                y.putScalar(new int[]{b, (b + p) % 2, p}, 1.0);
            }
        }
        return y;
    }
}
