package bragg.jobs.evaluate;

import bragg.driver.score.Predictions;
import bragg.driver.shards.ModelFit;
import bragg.driver.shards.ShardReader;
import bragg.driver.shards.Shards;
import bragg.jobs.config.BraggConfig;
import bragg.jobs.config.BraggKeys;
import bragg.jobs.infer.Holdout;
import bragg.jobs.report.RunFolder;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.apache.spark.sql.SparkSession;
import org.deeplearning4j.nn.graph.ComputationGraph;

/**
 * Scores the run's model on the held-out region of its shards: accuracy, per-class
 * precision/recall/F1 and the confusion matrix (classification), MSE/MAE/RMSE/R^2 (regression).
 * Writes evaluation.json into the run folder.
 */
public final class EvaluateJob {
    private EvaluateJob() {
    }

    public static EvaluationFile.Scores run(SparkSession spark, BraggConfig c, Path model) throws IOException {
        RunFolder run = new RunFolder(Path.of(c.get(BraggKeys.OUTPUT_DIR)));
        byte[] zip = readModel(model);
        Shards shards = ShardReader.read(spark, c.get(BraggKeys.DATA_SHARDS));
        ComputationGraph graph = ModelFit.check(zip, model.toString(), shards.manifest(), c.get(BraggKeys.DATA_SHARDS));
        boolean classification = c.get(BraggKeys.MODEL_HEAD).equals("classification");
        if (classification) {
            ModelFit.checkClasses(graph, model.toString(), shards.manifest(), c.get(BraggKeys.DATA_SHARDS));
        }
        double fraction = c.get(BraggKeys.DATA_HOLDOUT);
        if (fraction == 0) {
            throw new IllegalArgumentException("config key bragg.data.holdout = 0: nothing is held out to evaluate on "
                    + "(set it to the fraction that training left out, e.g. 0.25)");
        }
        Holdout holdout = Holdout.of(shards.manifest(), fraction);
        spark.sparkContext().setJobDescription("bragg evaluate: " + holdout.describe());
        List<Predictions.Prediction> preds = Predictions.run(shards.rows().filter(holdout.heldOut()), shards.manifest(), zip,
                c.get(BraggKeys.INFER_BATCH));
        if (preds.isEmpty()) {
            throw new IllegalArgumentException(c.get(BraggKeys.DATA_SHARDS) + ": no rows in the held-out region ("
                    + holdout.describe() + ")");
        }
        ClassificationScores cls = null;
        RegressionScores reg = null;
        if (classification) {
            List<String> names = shards.manifest().labelNames();
            List<Integer> actual = new ArrayList<>();
            List<Integer> predicted = new ArrayList<>();
            for (Predictions.Prediction p : preds) {
                if (p.label() >= 0) {   // unlabelled positions have nothing to score against
                    actual.add(p.label());
                    predicted.add(p.predictedClass());
                }
            }
            if (actual.isEmpty()) {
                throw new IllegalArgumentException(c.get(BraggKeys.DATA_SHARDS) + ": the held-out region has no labelled rows");
            }
            cls = ClassificationScores.of(names, actual.stream().mapToInt(Integer::intValue).toArray(),
                    predicted.stream().mapToInt(Integer::intValue).toArray());
        } else {
            int t = preds.get(0).target().length;
            if (t == 0) {
                throw new IllegalArgumentException(c.get(BraggKeys.DATA_SHARDS) + ": rows carry no regression targets "
                        + "(preprocess with bragg.data.targets set)");
            }
            float[][] actual = new float[preds.size()][];
            float[][] predicted = new float[preds.size()][];
            for (int i = 0; i < preds.size(); i++) {
                actual[i] = preds.get(i).target();
                predicted[i] = preds.get(i).output();
            }
            List<String> names = new ArrayList<>();
            for (int i = 0; i < t; i++) {
                names.add("target " + i);
            }
            reg = RegressionScores.of(names, actual, predicted);
        }
        EvaluationFile.Scores scores = new EvaluationFile.Scores(cls, reg, holdout.describe());
        EvaluationFile.write(run.evaluation(), scores);
        return scores;
    }

    static byte[] readModel(Path model) throws IOException {
        if (!Files.isRegularFile(model)) {
            throw new IllegalArgumentException("model " + model + " does not exist: train first (bin/bragg train <config>) "
                    + "or pass --model <model.zip>");
        }
        return Files.readAllBytes(model);
    }
}
