package bragg.worker.train;

import bragg.worker.model.VitConfig;
import bragg.worker.model.VitModel;
import bragg.worker.model.layers.LayerNorm;
import bragg.worker.model.layers.PatchEmbedding;
import bragg.worker.model.layers.TokenPooling;
import java.util.Random;
import org.deeplearning4j.nn.conf.ComputationGraphConfiguration;
import org.deeplearning4j.nn.conf.NeuralNetConfiguration;
import org.deeplearning4j.nn.conf.inputs.InputType;
import org.deeplearning4j.nn.conf.layers.ConvolutionLayer;
import org.deeplearning4j.nn.conf.layers.OutputLayer;
import org.deeplearning4j.nn.graph.ComputationGraph;
import org.deeplearning4j.nn.weights.WeightInit;
import org.nd4j.linalg.activations.Activation;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.dataset.MultiDataSet;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.learning.config.Adam;
import org.nd4j.linalg.lossfunctions.LossFunctions;

/** The overlap tests' models (16x16 single-channel patterns, 3 classes) and their data. */
final class OverlapModels {
    static final int BATCH = 4;
    static final int CLASSES = 3;
    static final int SIDE = 16;

    private OverlapModels() {
    }

    /** A tiny vit: bragg layers from the patch embedding up, DL4J's output layer on top (8 K values). */
    static ComputationGraph vit() {
        VitConfig c = new VitConfig();
        c.height = c.width = SIDE;
        c.patch = 4;
        c.dim = 16;
        c.heads = 2;
        c.blocks = 2;
        c.outputs = CLASSES;
        c.attentionDevice = "java";
        return VitModel.build(c);
    }

    /**
     * DL4J layers with parameters below and above the bragg layers: a stock 1x1 convolution
     * (whose gradient no listener reports, and which is the last of the backward), then patch
     * embedding, layer norm and pooling (bragg), then DL4J's output layer.
     */
    static ComputationGraph mixed() {
        ComputationGraphConfiguration conf = new NeuralNetConfiguration.Builder()
                .seed(11).updater(new Adam(1e-3)).dataType(DataType.FLOAT).weightInit(WeightInit.XAVIER)
                .graphBuilder()
                .addInputs("in")
                .setInputTypes(InputType.convolutional(SIDE, SIDE, 1))
                .addLayer("conv", new ConvolutionLayer.Builder(1, 1).nIn(1).nOut(2).activation(Activation.TANH).build(), "in")
                .addLayer("patch", PatchEmbedding.builder().name("patch").image(2, SIDE, SIDE).patch(4).width(16).build(),
                        "conv")
                .addLayer("norm", LayerNorm.builder().name("norm").width(16).build(), "patch")
                .addLayer("pool", TokenPooling.builder().name("pool").width(16).mode(TokenPooling.Mode.MEAN).build(), "norm")
                .addLayer("out", new OutputLayer.Builder(LossFunctions.LossFunction.MCXENT).nIn(16).nOut(CLASSES)
                        .activation(Activation.SOFTMAX).build(), "pool")
                .setOutputs("out")
                .build();
        ComputationGraph g = new ComputationGraph(conf);
        g.init();
        return g;
    }

    /** Rank r's micro-batch m of step s: its own random patterns and labels. */
    static MultiDataSet batch(int rank, long step, int m) {
        Random r = new Random(1_000_003L * rank + 1009L * step + m);
        float[] x = new float[BATCH * SIDE * SIDE];
        for (int i = 0; i < x.length; i++) {
            x[i] = (float) r.nextGaussian();
        }
        INDArray y = Nd4j.zeros(DataType.FLOAT, BATCH, CLASSES);
        for (int b = 0; b < BATCH; b++) {
            y.putScalar(b, r.nextInt(CLASSES), 1f);
        }
        return new MultiDataSet(Nd4j.create(x, new long[] {BATCH, 1, SIDE, SIDE}), y);
    }
}
