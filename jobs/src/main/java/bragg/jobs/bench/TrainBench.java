package bragg.jobs.bench;

import bragg.worker.model.VitConfig;
import bragg.worker.model.VitModel;
import bragg.worker.model.ops.KernelProvider;
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
import org.deeplearning4j.nn.graph.ComputationGraph;
import org.deeplearning4j.nn.weights.WeightInit;
import org.nd4j.linalg.activations.Activation;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.learning.config.Adam;
import org.nd4j.linalg.lossfunctions.LossFunctions;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

import java.util.Locale;

/**
 * {@code bragg bench train}: training samples/s of the default {@code vit} (bragg layers, flash
 * kernels) against a model of the same size built from DL4J's stock layers, in one process, after
 * warm-up, on the same random 64x64 patterns and labels. Prints a table, then one JSON line.
 *
 * <p>The stock model (what a DL4J user would write): patch embedding as an 8x8 stride-8
 * convolution to D, reshaped to tokens [B, D, 64]; per block x + SelfAttentionLayer(x) (DL4J's
 * SameDiff multi-head attention, H heads, projected input), then x + MLP(x) with the MLP as two
 * kernel-1 Convolution1D layers (D -> 4D GELU -> D); mean pooling; softmax output. DL4J has no
 * transformer layer norm, so the stock blocks have none (less work than the bragg blocks), nor
 * learned positions or a class token. Same D, heads, blocks, batch, input, Adam.
 */
@Command(name = "train", mixinStandardHelpOptions = true,
        description = "Training samples/s: the default vit vs the same-size stock-DL4J model; table, then a JSON line.")
public final class TrainBench implements Runnable {

    @Option(names = "--batch", description = "samples per step (default ${DEFAULT-VALUE})")
    int batch = 32;

    @Option(names = "--steps", description = "timed training steps per model (default ${DEFAULT-VALUE})")
    int steps = 10;

    @Option(names = "--warmup", description = "untimed steps before timing (default ${DEFAULT-VALUE})")
    int warmup = 3;

    @Option(names = "--device", description = "attention device of the bragg model (default ${DEFAULT-VALUE})")
    String device = "auto";

    @Override
    public void run() {
        if (batch < 1 || steps < 1 || warmup < 0) {
            throw new IllegalArgumentException("--batch and --steps must be >= 1 and --warmup >= 0; found batch=" + batch
                    + ", steps=" + steps + ", warmup=" + warmup);
        }
        VitConfig c = new VitConfig();
        c.attentionDevice = KernelProvider.checkDevice("--device", device);
        ComputationGraph bragg = VitModel.build(c);
        ComputationGraph stock = new ComputationGraph(stock(c, batch));
        stock.init();

        Nd4j.getRandom().setSeed(42);
        INDArray x = Nd4j.rand(DataType.FLOAT, batch, c.channels, c.height, c.width);
        INDArray y = Nd4j.zeros(DataType.FLOAT, batch, c.outputs);
        for (int b = 0; b < batch; b++) {
            y.putScalar(b, b % c.outputs, 1f);
        }
        System.out.printf(Locale.ROOT, "bench train: %dx%d patterns, patch %d, D %d, %d heads, %d blocks, batch %d;"
                        + " %d warm-up + %d timed steps each; bragg attention backend: %s%n", c.height, c.width, c.patch,
                c.dim, c.heads, c.blocks, batch, warmup, steps, KernelProvider.backend(c.attentionDevice));
        double braggRate = samplesPerSecond(bragg, x, y);
        double stockRate = samplesPerSecond(stock, x, y);
        System.out.printf(Locale.ROOT, "%n%-52s %12s %14s%n", "model", "parameters", "samples/s");
        System.out.printf(Locale.ROOT, "%-52s %12d %14.1f%n", "bragg vit (flash kernels, pre-LN blocks)", bragg.numParams(),
                braggRate);
        System.out.printf(Locale.ROOT, "%-52s %12d %14.1f%n", "stock DL4J (SelfAttentionLayer, Conv1D MLP, no LN)",
                stock.numParams(), stockRate);
        System.out.printf(Locale.ROOT, "{\"bragg_samples_per_s\": %.2f, \"stock_dl4j_samples_per_s\": %.2f, "
                        + "\"speedup\": %.3f, \"bragg_params\": %d, \"stock_dl4j_params\": %d, \"batch\": %d, "
                        + "\"steps\": %d, \"backend\": \"%s\"}%n", braggRate, stockRate, braggRate / stockRate,
                bragg.numParams(), stock.numParams(), batch, steps,
                KernelProvider.backend(c.attentionDevice).replace("\"", "'"));
    }

    private double samplesPerSecond(ComputationGraph g, INDArray x, INDArray y) {
        INDArray[] in = {x}, labels = {y};
        for (int i = 0; i < warmup; i++) {
            g.fit(in, labels);
        }
        long t0 = System.nanoTime();
        for (int i = 0; i < steps; i++) {
            g.fit(in, labels);
        }
        double seconds = (System.nanoTime() - t0) / 1e9;
        return batch * (double) steps / seconds;
    }

    /** The stock-DL4J model of the class comment, for a fixed batch (DL4J's ReshapeVertex has a fixed shape). */
    static ComputationGraphConfiguration stock(VitConfig c, int batch) {
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
