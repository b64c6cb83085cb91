package bragg.ml;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import bragg.driver.score.Predictions;
import bragg.driver.shards.ShardReader;
import bragg.driver.shards.Shards;
import bragg.ml.example.ClassifyShards;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.apache.spark.ml.Pipeline;
import org.apache.spark.ml.PipelineModel;
import org.apache.spark.ml.PipelineStage;
import org.apache.spark.ml.evaluation.MulticlassClassificationEvaluator;
import org.apache.spark.ml.feature.SQLTransformer;
import org.apache.spark.ml.linalg.Vector;
import org.apache.spark.ml.param.ParamMap;
import org.apache.spark.ml.tuning.ParamGridBuilder;
import org.apache.spark.ml.tuning.TrainValidationSplit;
import org.apache.spark.ml.tuning.TrainValidationSplitModel;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.functions;
import org.junit.jupiter.api.Test;

/**
 * bragg.ml on local[2]: fit, transform, save/load, Pipeline, TrainValidationSplit, evaluators, schema errors,
 * the config param, and the same scores as bragg infer/evaluate (Predictions).
 */
class BraggClassifierTest extends SparkMlTest {
    private static List<Row> predictions(Dataset<Row> scored) {
        return scored.orderBy("id").select("id", "prediction", "probability").collectAsList();
    }

    @Test
    void fitTransformSaveLoadGivesEqualPredictions() throws Exception {
        Dataset<Row> data = MlFixtures.arrays(spark, 96);
        BraggClassificationModel m = MlFixtures.tiny().setEpochs(12).setPatternShape(MlFixtures.SHAPE).fit(data);
        assertEquals(3, m.numClasses());
        assertEquals(List.of("0", "1", "2"), m.labelNames());
        Dataset<Row> scored = m.transform(data);
        List<Row> before = predictions(scored);
        assertEquals(96, before.size());
        for (Row r : before) {
            Vector p = r.getAs("probability");
            assertEquals(3, p.size());
            assertEquals(1.0, p.toArray()[0] + p.toArray()[1] + p.toArray()[2], 1e-4);
            assertEquals(p.argmax(), r.getDouble(1), 0);
        }
        double accuracy = new MulticlassClassificationEvaluator().setMetricName("accuracy").evaluate(scored);
        assertTrue(accuracy > 0.6, "training accuracy " + accuracy + " on a separable 3-class set");

        String path = tmp.resolve("model").toString();
        m.save(path);
        BraggClassificationModel loaded = BraggClassificationModel.load(path);
        assertEquals(m.uid(), loaded.uid());
        assertEquals(m.labelNames(), loaded.labelNames());
        assertArrayEquals(m.trainedShape(), loaded.trainedShape());
        assertEquals(before, predictions(loaded.transform(data)));
    }

    @Test
    void pipelineAfterSparkStageSavesAndLoads() throws Exception {
        Dataset<Row> data = MlFixtures.arrays(spark, 96).withColumnRenamed("label", "phase");
        Pipeline pipeline = new Pipeline().setStages(new PipelineStage[] {
            new SQLTransformer().setStatement("SELECT *, CAST(phase AS DOUBLE) AS y FROM __THIS__"),
            MlFixtures.tiny().setEpochs(1).setLabelCol("y").setPatternShape(MlFixtures.SHAPE)});
        PipelineModel fitted = pipeline.fit(data);
        List<Row> before = predictions(fitted.transform(data));
        String path = tmp.resolve("pipeline").toString();
        fitted.write().overwrite().save(path);
        PipelineModel loaded = PipelineModel.load(path);
        assertEquals(before, predictions(loaded.transform(data)));

        String unfitted = tmp.resolve("unfitted").toString();
        pipeline.save(unfitted);
        BraggClassifier stage = (BraggClassifier) Pipeline.load(unfitted).getStages()[1];
        assertEquals("y", stage.getLabelCol());
        assertArrayEquals(MlFixtures.SHAPE, stage.getPatternShape());
    }

    @Test
    void trainValidationSplitOverLearningRateAndDim() {
        Dataset<Row> data = MlFixtures.arrays(spark, 96);
        BraggClassifier c = MlFixtures.tiny().setEpochs(1).setPatternShape(MlFixtures.SHAPE);
        ParamMap[] grid = new ParamGridBuilder().addGrid(c.learningRate(), new double[] {1e-3, 1e-2})
                .addGrid(c.dim(), new int[] {8, 16}).build();
        TrainValidationSplitModel best = new TrainValidationSplit().setEstimator(c).setEstimatorParamMaps(grid)
                .setEvaluator(new MulticlassClassificationEvaluator().setMetricName("accuracy"))
                .setTrainRatio(0.75).setSeed(3).fit(data);
        assertEquals(4, best.validationMetrics().length);
        BraggClassificationModel m = (BraggClassificationModel) best.bestModel();
        assertEquals(96, m.transform(data).count());
    }

    @Test
    void schemaErrorsComeBeforeTraining() {
        Path ck = tmp.resolve("ck");
        Dataset<Row> data = MlFixtures.arrays(spark, 24);
        BraggClassifier c = MlFixtures.tiny().setCheckpointDir(ck.toString());

        IllegalArgumentException noShape = assertThrows(IllegalArgumentException.class, () -> c.fit(data));
        assertTrue(noShape.getMessage().contains("patternShape: not set"), noShape.getMessage());

        c.setPatternShape(MlFixtures.SHAPE);
        IllegalArgumentException missing = assertThrows(IllegalArgumentException.class,
                () -> c.fit(data.drop("label")));
        assertTrue(missing.getMessage().contains("labelCol: the input has no column 'label'"), missing.getMessage());

        IllegalArgumentException type = assertThrows(IllegalArgumentException.class,
                () -> c.fit(data.withColumn("pattern", functions.lit("x"))));
        assertTrue(type.getMessage().contains("column 'pattern' must be array<float> or binary")
                && type.getMessage().contains("found string"), type.getMessage());

        IllegalArgumentException length = assertThrows(IllegalArgumentException.class,
                () -> c.setPatternShape(new int[] {1, 8, 4}).fit(data));
        assertTrue(length.getMessage().contains("a row holds 64 values, patternShape [1, 8, 4] needs 32"),
                length.getMessage());

        IllegalArgumentException param = assertThrows(IllegalArgumentException.class,
                () -> c.setPatternShape(MlFixtures.SHAPE).setPatch(3).fit(data));
        assertTrue(param.getMessage().contains("patch"), param.getMessage());

        assertFalse(Files.exists(ck), "no training may start: no checkpoint folder");
    }

    @Test
    void exampleProgramTrainsFromShardsWithNoOtherSetting() throws Exception {
        String shards = MlFixtures.shards(spark, tmp.resolve("shards").toString(), 96);
        Dataset<Row> read = BraggShards.read(spark, shards);
        assertEquals(List.of("id", "position", "label", "target", "pattern"), List.of(read.columns()));
        double accuracy = ClassifyShards.run(spark, shards, tmp.resolve("model").toString());
        assertTrue(accuracy >= 0 && accuracy <= 1, "accuracy " + accuracy);
        assertEquals(MlFixtures.LABELS, BraggClassificationModel.load(tmp.resolve("model").toString()).labelNames());
    }

    @Test
    void configFileFillsTheParamsNotSetAndSettersWin() throws Exception {
        Path conf = tmp.resolve("job.conf");
        Files.writeString(conf, "bragg { model { dim = 12, heads = 5 }, train { epochs = 2, learning-rate = 0.02 } }\n");
        BraggClassifier c = new BraggClassifier().setHeads(2).setConfig(conf.toString());
        BraggClassifier r = ConfigFileParams.resolved(c);
        assertEquals(12, r.getDim());
        assertEquals(2, r.getHeads(), "the setter wins over bragg.model.heads");
        assertEquals(2, r.getEpochs());
        assertEquals(0.02, r.getLearningRate(), 0);
        assertEquals(128, c.getDim(), "the stage itself is left as it was");

        Files.writeString(conf, "bragg.train.epochs = 0\n");
        IllegalArgumentException bad = assertThrows(IllegalArgumentException.class,
                () -> c.transformSchema(MlFixtures.arrays(spark, 3).schema()));
        assertTrue(bad.getMessage().contains("key bragg.train.epochs (param epochs)"), bad.getMessage());
    }

    @Test
    void inferAndEvaluateScoreAsTransformDoes() throws Exception {
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

        // A model.zip made elsewhere (as bragg train writes it) scores as the fitted model does.
        BraggClassificationModel wrapped = BraggClassificationModel.of(model.modelZip(), MlFixtures.SHAPE, MlFixtures.LABELS);
        assertEquals(ml, wrapped.setBatchSize(7).transform(BraggShards.read(spark, path)).orderBy("id")
                .select("id", "prediction", "probability").collectAsList());
        String names = assertThrows(IllegalArgumentException.class,
                () -> BraggClassificationModel.of(model.modelZip(), MlFixtures.SHAPE, List.of("a", "b"))).getMessage();
        assertTrue(names.contains("modelZip: the model's output layer 'out' has 3 outputs, the names given are 2"), names);
    }
}
