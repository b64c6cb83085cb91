package bragg.worker.model;

import org.deeplearning4j.nn.conf.ComputationGraphConfiguration;
import org.deeplearning4j.nn.conf.inputs.InputType;
import org.deeplearning4j.nn.conf.layers.Layer;
import org.deeplearning4j.nn.conf.layers.OutputLayer;
import org.deeplearning4j.nn.conf.layers.RnnOutputLayer;
import org.deeplearning4j.nn.graph.ComputationGraph;
import org.nd4j.linalg.activations.Activation;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.learning.config.NoOp;
import org.nd4j.linalg.lossfunctions.LossFunctions;

/** Small double-precision graphs around single bragg layers, and their random inputs and masks. */
final class TestGraphs {
    static final String OUT = "out";

    private TestGraphs() {
    }

    /**
     * input -> layers (a chain) -> an MSE head with {@code outputs} outputs: per token (RnnOutputLayer,
     * [B, outputs, T']) when {@code perToken}, else per item (OutputLayer, [B, outputs]).
     */
    static ComputationGraph chain(InputType in, int headIn, boolean perToken, int outputs, Layer... layers) {
        return chain("double", in, headIn, perToken, outputs, layers);
    }

    /** As above in the given precision ("float" or "double"). */
    static ComputationGraph chain(String dataType, InputType in, int headIn, boolean perToken, int outputs,
                                  Layer... layers) {
        ComputationGraphConfiguration.GraphBuilder g = Graphs.base(12345, new NoOp(), dataType)
                .addInputs("in").setInputTypes(in);
        String last = "in";
        for (int i = 0; i < layers.length; i++) {
            String name = layers[i].getLayerName() != null ? layers[i].getLayerName() : "l" + i;
            g.addLayer(name, layers[i], last);
            last = name;
        }
        Layer head = perToken
                ? new RnnOutputLayer.Builder().nIn(headIn).nOut(outputs).activation(Activation.IDENTITY)
                    .lossFunction(LossFunctions.LossFunction.MSE).build()
                : new OutputLayer.Builder().nIn(headIn).nOut(outputs).activation(Activation.IDENTITY)
                    .lossFunction(LossFunctions.LossFunction.MSE).build();
        g.addLayer(OUT, head, last);
        g.setOutputs(OUT);
        return Graphs.init(g.build());
    }

    /** Uniform [-1, 1) doubles of the given shape from a fixed seed. */
    static INDArray random(long seed, long... shape) {
        Nd4j.getRandom().setSeed(seed);
        return Nd4j.rand(DataType.DOUBLE, shape).muli(2).subi(1);
    }

    /** One-hot rows [B, classes], item b of class b % classes. */
    static INDArray oneHot(int batch, int classes) {
        INDArray y = Nd4j.zeros(DataType.DOUBLE, batch, classes);
        for (int b = 0; b < batch; b++) {
            y.putScalar(b, b % classes, 1.0);
        }
        return y;
    }

    /** A feature mask [B, T]: item b has {@code lengths[b]} real tokens then padding. */
    static INDArray lengths(int t, int... lengths) {
        INDArray m = Nd4j.zeros(DataType.DOUBLE, lengths.length, t);
        for (int b = 0; b < lengths.length; b++) {
            for (int j = 0; j < lengths[b]; j++) {
                m.putScalar(b, j, 1.0);
            }
        }
        return m;
    }
}
