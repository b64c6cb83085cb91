package bragg.worker.model;

import org.deeplearning4j.nn.graph.ComputationGraph;
import org.junit.jupiter.api.Test;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.learning.config.NoOp;

import static bragg.worker.model.TestGraphs.oneHot;
import static bragg.worker.model.TestGraphs.random;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

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
        assertEquals(ScanModel.DEFAULT_PARAMS, ScanModel.build(new ScanConfig()).numParams(),
                "parameter count of the default scan");
    }

    @Test
    void outputIsTheCentreClass() {
        assertArrayEquals(new long[]{2, 3}, ScanModel.build(tiny()).outputSingle(random(1, 2, 9, 4, 4)).shape(),
                "scan output [B, classes]");
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
