package bragg.jobs.bench;

import bragg.worker.model.VitConfig;
import org.deeplearning4j.nn.conf.ComputationGraphConfiguration;
import org.deeplearning4j.nn.conf.NeuralNetConfiguration;
import org.deeplearning4j.nn.conf.graph.ElementWiseVertex;
import org.deeplearning4j.nn.conf.graph.ReshapeVertex;
import org.deeplearning4j.nn.conf.inputs.InputType;
import org.deeplearning4j.nn.conf.layers.Convolution1DLayer;
import org.deeplearning4j.nn.conf.layers.ConvolutionLayer;
import org.deeplearning4j.nn.conf.layers.GlobalPoolingLayer;
import org.deeplearning4j.nn.conf.layers.OutputLayer;
import org.deeplearning4j.nn.conf.layers.PoolingType;
import org.deeplearning4j.nn.conf.layers.SelfAttentionLayer;
import org.deeplearning4j.nn.weights.WeightInit;
import org.nd4j.linalg.activations.Activation;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.learning.config.Adam;
import org.nd4j.linalg.lossfunctions.LossFunctions;

/**
 * The model a DL4J user would write for the default {@code vit} from DL4J's stock layers, the
 * baseline of {@code bench train}'s "speedup": patch embedding as an 8x8 stride-8 convolution
 * to D, reshaped to tokens [B, D, 64]; per block x + SelfAttentionLayer(x) (DL4J's SameDiff
 * multi-head attention, H heads, projected input), then x + MLP(x) with the MLP as two kernel-1
 * Convolution1D layers (D -> 4D GELU -> D); mean pooling; softmax output. DL4J has no
 * transformer layer norm, so the stock blocks have none (less work than the bragg blocks), nor
 * learned positions or a class token. Same D, heads, blocks, batch, input, Adam.
 */
final class StockVit {
    private StockVit() {
    }

    /** The stock-DL4J model of the class comment, for a fixed batch (DL4J's ReshapeVertex has a fixed shape). */
    static ComputationGraphConfiguration configuration(VitConfig c, int batch) {
        int d = c.dim, gh = c.height / c.patch, gw = c.width / c.patch, t = gh * gw;
        int hidden = c.mlpHidden > 0 ? c.mlpHidden : 4 * d;
        ComputationGraphConfiguration.GraphBuilder g = new NeuralNetConfiguration.Builder()
                .seed(c.seed).updater(new Adam(c.learningRate)).dataType(DataType.FLOAT).weightInit(WeightInit.XAVIER)
                .graphBuilder()
                .addInputs("pattern")
                .setInputTypes(InputType.convolutional(c.height, c.width, c.channels));
        g.addLayer("patch", new ConvolutionLayer.Builder(c.patch, c.patch).stride(c.patch, c.patch).nOut(d)
                .activation(Activation.IDENTITY).build(), "pattern");
        g.addVertex("tokens", new ReshapeVertex('c', new int[]{batch, d, t}, null), "patch");
        String last = "tokens";
        for (int i = 0; i < c.blocks; i++) {
            g.addLayer("attn" + i, new SelfAttentionLayer.Builder().nIn(d).nOut(d).nHeads(c.heads).headSize(d / c.heads)
                    .projectInput(true).build(), last);
            g.addVertex("res" + i + "a", new ElementWiseVertex(ElementWiseVertex.Op.Add), last, "attn" + i);
            g.addLayer("mlp" + i + "a", new Convolution1DLayer.Builder(1).nOut(hidden).activation(Activation.GELU).build(),
                    "res" + i + "a");
            g.addLayer("mlp" + i + "b", new Convolution1DLayer.Builder(1).nOut(d).activation(Activation.IDENTITY).build(),
                    "mlp" + i + "a");
            g.addVertex("res" + i + "b", new ElementWiseVertex(ElementWiseVertex.Op.Add), "res" + i + "a", "mlp" + i + "b");
            last = "res" + i + "b";
        }
        g.addLayer("pool", new GlobalPoolingLayer.Builder(PoolingType.AVG).build(), last);
        g.addLayer("out", new OutputLayer.Builder(LossFunctions.LossFunction.MCXENT).nIn(d).nOut(c.outputs)
                .activation(Activation.SOFTMAX).build(), "pool");
        g.setOutputs("out");
        return g.build();
    }
}
