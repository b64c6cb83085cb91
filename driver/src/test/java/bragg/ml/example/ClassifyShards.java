package bragg.ml.example;

import bragg.ml.BraggClassificationModel;
import bragg.ml.BraggClassifier;
import bragg.ml.BraggShards;
import org.apache.spark.ml.evaluation.MulticlassClassificationEvaluator;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;

/**
 * Example: train a bragg classifier from Spark code on preprocessed shards, score the held-out
 * rows with Spark's own evaluator, save the model and load it back.
 *
 * <pre>
 *   ClassifyShards &lt;shards folder&gt; &lt;model output folder&gt;
 * </pre>
 * Run with a SparkSession whose conf sets spark.barrier.sync.timeout (bragg refuses Spark's
 * default of one year: a hung replica would hold the cluster that long).
 */
public final class ClassifyShards {
    private ClassifyShards() {
    }

    public static void main(String[] args) throws java.io.IOException {
        SparkSession spark = SparkSession.builder().appName("bragg ClassifyShards").getOrCreate();
        System.out.println("accuracy " + run(spark, args[0], args[1]));
    }

    /** Trains on 75% of the shards, returns the accuracy on the other 25% after a save and load. */
    public static double run(SparkSession spark, String shards, String modelOut) throws java.io.IOException {
        Dataset<Row> data = BraggShards.read(spark, shards);   // pattern metadata carries shape and label names
        Dataset<Row>[] split = data.randomSplit(new double[] {0.75, 0.25}, 7);
        BraggClassifier classifier = new BraggClassifier()
                .setDim(8).setHeads(2).setBlocks(1).setPatch(4)  // a tiny model: the example runs in a test
                .setEpochs(3).setBatchSize(8).setLearningRate(1e-2).setDevice("java");
        BraggClassificationModel model = classifier.fit(split[0]);
        model.write().overwrite().save(modelOut);
        BraggClassificationModel loaded = BraggClassificationModel.load(modelOut);
        Dataset<Row> scored = loaded.transform(split[1]);
        return new MulticlassClassificationEvaluator().setMetricName("accuracy").evaluate(scored);
    }
}
