package bragg.worker.model;

import org.deeplearning4j.nn.graph.ComputationGraph;
import org.junit.jupiter.api.Test;
import org.nd4j.linalg.dataset.DataSet;

import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The models learn generated tasks that need attention; held-out accuracy, fixed seeds, float
 * networks on the Java flash kernel. No time is asserted.
 */
class LearningTest {

    @Test
    void vitLearnsTheRelativePositionOfTwoDistantDisks() {
        VitConfig c = new VitConfig();
        c.patch = 16;
        c.dim = 32;
        c.heads = 4;
        c.blocks = 2;
        c.mlpHidden = 64;
        c.positions = "sinusoidal";
        c.learningRate = 1e-3;
        c.attentionDevice = "java";
        ComputationGraph g = VitModel.build(c);
        DataSet train = SyntheticTasks.twoDisks(1024, 64, 1), test = SyntheticTasks.twoDisks(256, 64, 2);
        double acc = fit(g, train, test, 32, 10, "vit");
        assertTrue(acc >= 0.95, "vit held-out accuracy on two disks: " + acc + " < 0.95");
    }

    @Test
    void stackWithCrossAttentionBeatsTheSameModelWithout() {
        double[] acc = new double[2];
        for (int i = 0; i < 2; i++) {
            StackConfig c = new StackConfig();
            c.layersBelow = 2;
            c.height = 16;
            c.width = 16;
            c.patch = 4;
            c.dim = 16;
            c.heads = 2;
            c.crossBlocks = 1;
            c.blocks = 1;
            c.mlpHidden = 32;
            c.positions = "sinusoidal";
            c.learningRate = 2e-3;
            c.attentionDevice = "java";
            c.crossAttention = i == 0;
            ComputationGraph g = StackModel.build(c);
            DataSet train = SyntheticTasks.stack(1024, 16, 4, 3), test = SyntheticTasks.stack(256, 16, 4, 4);
            acc[i] = fit(g, train, test, 32, 3, "stack cross=" + c.crossAttention);
        }
        assertTrue(acc[0] >= 0.85 && acc[0] >= acc[1] + 0.2, "stack held-out accuracy with cross-attention " + acc[0]
                + ", without " + acc[1] + ": expected >= 0.85 and at least 0.2 above");
    }

    private static double fit(ComputationGraph g, DataSet train, DataSet test, int batch, int epochs, String name) {
        double acc = 0;
        for (int e = 0; e < epochs; e++) {
            train.shuffle(100 + e);
            for (DataSet b : train.batchBy(batch)) {
                g.fit(b);
            }
            acc = SyntheticTasks.accuracy(g, test);
            System.out.println(name + " epoch " + e + " held-out accuracy " + acc);
        }
        return acc;
    }
}
