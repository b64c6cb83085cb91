package bragg.driver.train;

import bragg.driver.shards.PatternCodec;
import bragg.driver.shards.ShardSchema;
import bragg.worker.collective.CollectiveConfig;
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
import org.nd4j.linalg.activations.Activation;
import org.nd4j.linalg.api.buffer.DataType;
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
            Random r = new Random(1234L + i);
            float[] x = new float[8];
            int label = i % K;
            for (int d = 0; d < x.length; d++) {
                x[d] = (float) (r.nextGaussian() * 0.7 + (d % K == label ? 1.5 : 0));
            }
            rows.add(RowFactory.create((long) i, new Integer[] {0, i}, label, new Float[0],
                    PatternCodec.encode(x, 0, x.length, "float32")));
        }
        return spark.createDataFrame(rows, ShardSchema.SCHEMA).repartition(3);
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
        return new ReplicaSpec(mlp(cfg, totalSteps).toJson(), cfg, SHAPE, K, false, "float32", transport,
                CollectiveConfig.DEFAULT.withReadTimeoutMs(30_000), "test", Map.of("data", "TrainFixtures"));
    }
}
