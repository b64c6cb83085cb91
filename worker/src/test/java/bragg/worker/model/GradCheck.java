package bragg.worker.model;

import org.deeplearning4j.gradientcheck.GradientCheckUtil;
import org.deeplearning4j.nn.graph.ComputationGraph;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

import static org.junit.jupiter.api.Assertions.assertTrue;

/** DL4J's gradient check on a double-precision graph, the case named in the assertion. */
final class GradCheck {
    private GradCheck() {
    }

    static void check(String name, ComputationGraph graph, INDArray[] inputs, INDArray[] labels, INDArray[] inputMasks,
                      INDArray[] labelMasks) {
        DataType before = Nd4j.defaultFloatingPointType();
        Nd4j.setDefaultDataTypes(DataType.DOUBLE, DataType.DOUBLE); // GradientCheckUtil insists
        boolean ok;
        try {
            ok = GradientCheckUtil.checkGradients(new GradientCheckUtil.GraphConfig()
                .net(graph).inputs(inputs).labels(labels).inputMask(inputMasks).labelMask(labelMasks)
                .epsilon(1e-6).maxRelError(1e-5).minAbsoluteError(1e-9)
                .print(GradientCheckUtil.PrintMode.FAILURES_ONLY).exitOnFirstError(true));
        } finally {
            Nd4j.setDefaultDataTypes(before, before);
        }
        assertTrue(ok, "gradient check failed: " + name);
    }
}
