package bragg.worker.train;

import java.util.Random;
import org.deeplearning4j.nn.conf.ComputationGraphConfiguration;
import org.deeplearning4j.nn.conf.NeuralNetConfiguration;
import org.deeplearning4j.nn.conf.layers.DenseLayer;
import org.deeplearning4j.nn.conf.layers.OutputLayer;
import org.deeplearning4j.nn.graph.ComputationGraph;
import org.nd4j.linalg.activations.Activation;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.lossfunctions.LossFunctions;

/** A small MLP graph and a synthetic data set for the loop tests (the ViT drops in the same way). */
final class TinyModels {
    static final int F = 8;
    static final int K = 3;

    static ComputationGraphConfiguration mlp(long seed) {
        return new NeuralNetConfiguration.Builder().seed(seed).dataType(DataType.FLOAT).graphBuilder()
                .addInputs("x")
                .addLayer("h", new DenseLayer.Builder().nIn(F).nOut(16).activation(Activation.TANH).build(), "x")
                .addLayer("out", new OutputLayer.Builder(LossFunctions.LossFunction.MCXENT).nIn(16).nOut(K)
                        .activation(Activation.SOFTMAX).build(), "h")
                .setOutputs("out").build();
    }

    static ComputationGraph graph(TrainConfig cfg, int totalSteps) {
        ComputationGraphConfiguration conf = mlp(7);
        Optimizers.applyAdamW(conf, cfg, totalSteps);
        ComputationGraph g = new ComputationGraph(conf);
        g.init();
        return g;
    }

    /** Sample i of a 3-class set: class means on different axes plus noise. */
    static float[] sample(int i) {
        Random r = new Random(1234L + i);
        float[] x = new float[F];
        int label = label(i);
        for (int d = 0; d < F; d++) {
            x[d] = (float) (r.nextGaussian() * 0.7 + (d % K == label ? 1.5 : 0));
        }
        return x;
    }

    static int label(int i) {
        return i % K;
    }

    /** Rank r's shard of a set of {@code count} samples split over n ranks: global index k*n + r. */
    static LocalShard shard(int count, int n, int r) {
        LocalShard s = new LocalShard(new int[] {F}, K, count / n);
        for (int k = 0; k * n + r < count; k++) {
            int g = k * n + r;
            s.add(g, sample(g), label(g));
        }
        return s;
    }
}
