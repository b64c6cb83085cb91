package bragg.worker.model;

import org.deeplearning4j.nn.graph.ComputationGraph;
import org.junit.jupiter.api.Test;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.indexing.NDArrayIndex;
import org.nd4j.linalg.ops.transforms.Transforms;
import org.nd4j.linalg.learning.config.NoOp;

import static bragg.worker.model.TestGraphs.oneHot;
import static bragg.worker.model.TestGraphs.random;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

class ScanModelTest {

    /** 3x3 window of 4x4 patterns, P 2 (4 patches per pattern), D 8, one block, double. */
    static ScanConfig tiny() {
        ScanConfig c = new ScanConfig();
        c.window = 3;
        c.height = 4;
        c.width = 4;
        c.patch = 2;
        c.dim = 8;
        c.heads = 2;
        c.blocks = 1;
        c.mlpHidden = 12;
        c.outputs = 3;
        c.dataType = "double";
        return c;
    }

    @Test
    void defaultParameterCount() {
        // 3x3 window of 64x64, P 8 shared by all patterns, fixed positions, a D -> D token encoder,
        // D 128 (MLP 512), 4 blocks, 2 classes.
        long d = 128, f = 4 * d;
        long expected = ParameterCounts.linear(8 * 8, d) + ParameterCounts.linear(d, d)
                + 4 * ParameterCounts.selfBlock(d, f) + ParameterCounts.layerNorm(d) + ParameterCounts.linear(d, 2);
        assertEquals(expected, ScanModel.build(new ScanConfig()).numParams(), "parameter count of the default scan");
        assertEquals(expected, ScanModel.DEFAULT_PARAMS, "the count ScanModel's javadoc states");
    }

    /** The head reads the centre token of the window (token 4 of 9) and nothing else. */
    @Test
    void outputIsTheCentreClass() {
        ScanConfig c = tiny();
        ComputationGraph g = ScanModel.build(c);
        INDArray x = random(1, 2, 9, 4, 4);
        java.util.Map<String, INDArray> acts = g.feedForward(x, false);
        INDArray out = acts.get(ScanModel.OUTPUT);
        assertArrayEquals(new long[]{2, 3}, out.shape(), "scan output [B, classes]");
        INDArray centre = acts.get("lnf").get(NDArrayIndex.all(), NDArrayIndex.all(), NDArrayIndex.point(c.centre()));
        INDArray logits = centre.mmul(g.getLayer(ScanModel.OUTPUT).getParam("W"))
                .addRowVector(g.getLayer(ScanModel.OUTPUT).getParam("b"));
        INDArray expected = Transforms.softmax(logits, true);
        for (int b = 0; b < 2; b++) {
            for (int k = 0; k < 3; k++) {
                assertEquals(expected.getDouble(b, k), out.getDouble(b, k), 1e-12, "item " + b + " class " + k);
            }
        }
        // Another token would give other probabilities: the comparison above can tell them apart.
        INDArray edge = acts.get("lnf").get(NDArrayIndex.all(), NDArrayIndex.all(), NDArrayIndex.point(0));
        INDArray fromEdge = Transforms.softmax(edge.mmul(g.getLayer(ScanModel.OUTPUT).getParam("W"))
                .addRowVector(g.getLayer(ScanModel.OUTPUT).getParam("b")), true);
        assertTrue(fromEdge.sub(out).amaxNumber().doubleValue() > 1e-6, "token 0 gives the same output as the centre");
    }

    @Test
    void gradientCheckTinyScan() {
        for (String positions : new String[]{"sinusoidal", "learned"}) {
            for (int heads : new int[]{1, 2}) {
                {
                    int batch = (heads == 1) == positions.equals("learned") ? 3 : 1; // each B with both settings of each
                    ScanConfig c = tiny();
                    c.positions = positions;
                    c.heads = heads;
                    ComputationGraph g = ScanModel.build(c, new NoOp());
                    GradCheck.check("scan positions=" + positions + " H=" + heads + " B=" + batch, g,
                            new INDArray[]{random(9, batch, 9, 4, 4)}, new INDArray[]{oneHot(batch, 3)}, null, null);
                }
            }
        }
    }
}
