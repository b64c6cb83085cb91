package bragg.jobs.infer;

import bragg.driver.score.Predictions;
import bragg.driver.shards.ModelFit;
import bragg.driver.shards.ShardReader;
import bragg.driver.shards.Shards;
import bragg.jobs.config.BraggConfig;
import bragg.jobs.config.BraggKeys;
import bragg.jobs.report.RunFolder;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.apache.spark.sql.SparkSession;

/** Runs the model over every row of the shards (the whole scan or stack) and writes the maps. */
public final class InferJob {
    private InferJob() {
    }

    public static List<MapWriter.Written> run(SparkSession spark, BraggConfig c, Path model) throws IOException {
        if (!Files.isRegularFile(model)) {
            throw new IllegalArgumentException("model " + model + " does not exist: train first (bin/bragg train <config>) "
                    + "or pass --model <model.zip>");
        }
        byte[] zip = Files.readAllBytes(model);
        Shards shards = ShardReader.read(spark, c.get(BraggKeys.DATA_SHARDS));
        ModelFit.check(zip, model.toString(), shards.manifest(), c.get(BraggKeys.DATA_SHARDS));
        spark.sparkContext().setJobDescription("bragg infer: " + shards.manifest().count() + " positions");
        List<Predictions.Prediction> preds = Predictions.run(shards.rows(), shards.manifest(), zip, c.get(BraggKeys.INFER_BATCH));
        RunFolder run = new RunFolder(Path.of(c.get(BraggKeys.OUTPUT_DIR)));
        return MapWriter.write(run.maps(), shards.manifest(), preds, c.get(BraggKeys.MODEL_HEAD).equals("classification"),
                c.get(BraggKeys.INFER_PERIOD));
    }
}
