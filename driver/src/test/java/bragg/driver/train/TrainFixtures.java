package bragg.driver.train;

import bragg.driver.shards.PatternCodec;
import bragg.driver.shards.ShardSchema;
import bragg.worker.collective.CollectiveConfig;
import bragg.worker.collective.Compression;
import bragg.worker.train.Optimizers;
import bragg.worker.train.TrainConfig;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.SparkSession;
import org.deeplearning4j.nn.conf.ComputationGraphConfiguration;
import org.deeplearning4j.nn.conf.NeuralNetConfiguration;
import org.deeplearning4j.nn.conf.inputs.InputType;
import org.deeplearning4j.nn.conf.layers.DenseLayer;
import org.deeplearning4j.nn.conf.layers.OutputLayer;
import org.deeplearning4j.nn.graph.ComputationGraph;
import org.nd4j.linalg.activations.Activation;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.lossfunctions.LossFunctions;

/** Shard rows of a small 3-class set of [1, 2, 4] patterns and an MLP for them. */
final class TrainFixtures {
    static final int[] SHAPE = {1, 2, 4};
    static final int K = 3;

    private TrainFixtures() {
    }

    /** {@code count} rows in the Shards contract's schema; ids are 0..count-1 but stored shuffled. */
    static Dataset<Row> rows(SparkSession spark, int count) {
        List<Row> rows = new ArrayList<>();
        for (int i = count - 1; i >= 0; i--) {
            float[] x = pattern(i);
            rows.add(RowFactory.create((long) i, new Integer[] {0, i}, label(i), new Float[0],
                    PatternCodec.encode(x, 0, x.length, "float32")));
        }
        return spark.createDataFrame(rows, ShardSchema.SCHEMA).repartition(3);
    }

    static int label(int i) {
        return i % K;
    }

    /** Sample {@code i}'s 8 values: Gaussian noise, and 1.5 added where d % K is its label. */
    static float[] pattern(int i) {
        Random r = new Random(1234L + i);
        float[] x = new float[8];
        for (int d = 0; d < x.length; d++) {
            x[d] = (float) (r.nextGaussian() * 0.7 + (d % K == label(i) ? 1.5 : 0));
        }
        return x;
    }

    /** Fraction of samples {@code [from, from+count)} (not trained on when from >= the training count) the model labels right. */
    static double accuracy(ComputationGraph g, int from, int count) {
        float[] all = new float[count * 8];
        for (int k = 0; k < count; k++) {
            System.arraycopy(pattern(from + k), 0, all, 8 * k, 8);
        }
        INDArray out = g.outputSingle(Nd4j.create(all, new long[] {count, SHAPE[0], SHAPE[1], SHAPE[2]}));
        int right = 0;
        for (int k = 0; k < count; k++) {
            if (out.getRow(k).argMax().getInt(0) == label(from + k)) {
                right++;
            }
        }
        return (double) right / count;
    }

    static ComputationGraphConfiguration mlp(TrainConfig cfg, int totalSteps) {
        ComputationGraphConfiguration conf = new NeuralNetConfiguration.Builder().seed(7).dataType(DataType.FLOAT)
                .graphBuilder()
                .addInputs("x")
                .setInputTypes(InputType.convolutional(SHAPE[1], SHAPE[2], SHAPE[0]))
                .addLayer("h", new DenseLayer.Builder().nOut(16).activation(Activation.TANH).build(), "x")
                .addLayer("out", new OutputLayer.Builder(LossFunctions.LossFunction.MCXENT).nOut(K)
                        .activation(Activation.SOFTMAX).build(), "h")
                .setOutputs("out").build();
        Optimizers.applyAdamW(conf, cfg, totalSteps);
        return conf;
    }

    static ReplicaSpec spec(TrainConfig cfg, int totalSteps, String transport) {
        return spec(cfg, totalSteps, transport, Compression.NONE);
    }

    static ReplicaSpec spec(TrainConfig cfg, int totalSteps, String transport, Compression compression) {
        return new ReplicaSpec(mlp(cfg, totalSteps).toJson(), cfg, SHAPE, K, false, "float32", transport,
                CollectiveConfig.DEFAULT.withReadTimeoutMs(30_000).withCompression(compression), "test",
                Map.of("data", "TrainFixtures"));
    }
}
