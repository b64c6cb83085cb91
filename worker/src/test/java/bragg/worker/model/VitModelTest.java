package bragg.worker.model;

import org.deeplearning4j.nn.graph.ComputationGraph;
import org.junit.jupiter.api.Test;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.learning.config.NoOp;

import static org.junit.jupiter.api.Assertions.assertEquals;

class VitModelTest {

    static VitConfig tiny() {
        VitConfig c = new VitConfig();
        c.height = 8;
        c.width = 8;
        c.patch = 4;
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
        // 64x64 x 1 channel, P 8, D 128 (MLP 512), class token, 65 learned positions, 4 blocks, 2 classes.
        long d = 128, f = 4 * d;
        long expected = ParameterCounts.linear(8 * 8, d) + d + 65 * d + 4 * ParameterCounts.selfBlock(d, f)
                + ParameterCounts.layerNorm(d) + ParameterCounts.linear(d, 2);
        assertEquals(expected, VitModel.build(new VitConfig()).numParams(), "parameter count of the default vit");
        assertEquals(expected, VitModel.DEFAULT_PARAMS, "the count VitModel's javadoc states");
    }

    @Test
    void gradientCheckTinyVit() {
        for (boolean cls : new boolean[]{true, false}) {
            for (String pos : new String[]{"learned", "sinusoidal"}) {
                {
                    int batch = cls == pos.equals("learned") ? 3 : 1; // each B with both settings of each flag
                    VitConfig c = tiny();
                    c.classToken = cls;
                    c.positions = pos;
                    ComputationGraph g = VitModel.build(c, new NoOp());
                    Nd4j.getRandom().setSeed(7);
                    INDArray x = Nd4j.rand(DataType.DOUBLE, batch, 1, 8, 8);
                    INDArray y = Nd4j.zeros(DataType.DOUBLE, batch, 3);
                    for (int b = 0; b < batch; b++) {
                        y.putScalar(b, b % 3, 1.0);
                    }
                    GradCheck.check("vit classToken=" + cls + " positions=" + pos + " B=" + batch, g,
                            new INDArray[]{x}, new INDArray[]{y}, null, null);
                }
            }
        }
    }
}
