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
        VitConfig c = new VitConfig();
        ComputationGraph g = VitModel.build(c);
        assertEquals(VitModel.DEFAULT_PARAMS, g.numParams(), "parameter count of the default vit");
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
