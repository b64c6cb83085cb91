package bragg.ml;

import static org.junit.jupiter.api.Assertions.assertEquals;

import bragg.driver.score.Predictions;
import bragg.driver.shards.ShardReader;
import bragg.driver.shards.Shards;
import java.nio.file.Path;
import java.util.List;
import org.apache.spark.ml.linalg.Vector;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** bragg infer/evaluate (Predictions) and the model's transform score a shard folder alike. */
class SameScoringTest {
    static SparkSession spark;

    @TempDir
    Path tmp;

    @BeforeAll
    static void start() {
        spark = MlFixtures.spark();
    }

    @AfterAll
    static void stop() {
        spark.stop();
    }

    @Test
    void predictionsOfTheJobsEqualTheTransform() throws Exception {
        String path = MlFixtures.shards(spark, tmp.resolve("shards").toString(), 48);
        BraggClassificationModel model = MlFixtures.tiny().setEpochs(1).fit(BraggShards.read(spark, path));
        Shards shards = ShardReader.read(spark, path);
        List<Predictions.Prediction> jobs = Predictions.run(shards.rows(), shards.manifest(), model.modelZip(), 5);
        List<Row> ml = model.setBatchSize(7).transform(BraggShards.read(spark, path)).orderBy("id")
                .select("id", "prediction", "probability").collectAsList();
        assertEquals(jobs.size(), ml.size());
        for (int i = 0; i < ml.size(); i++) {
            Predictions.Prediction p = jobs.get(i);
            assertEquals(p.id(), ml.get(i).getLong(0));
            assertEquals(p.predictedClass(), ml.get(i).getDouble(1), 0);
            double[] prob = ((Vector) ml.get(i).get(2)).toArray();
            for (int k = 0; k < prob.length; k++) {
                // Other batch sizes (5 vs 7): the same forward pass up to float rounding.
                assertEquals(p.output()[k], prob[k], 1e-5, "row " + p.id() + " class " + k);
            }
        }
    }
}
