package bragg.ml;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.apache.spark.ml.evaluation.RegressionEvaluator;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.functions;
import org.junit.jupiter.api.Test;

/** BraggRegressor on local[2]: fit, transform, save/load, RegressionEvaluator, schema errors. */
class BraggRegressorTest extends SparkMlTest {
    @Test
    void fitTransformEvaluateSaveLoad() throws Exception {
        Dataset<Row> data = MlFixtures.regression(spark, 128);
        BraggRegressionModel m = MlFixtures.tinyRegressor().setEpochs(15).fit(data);
        assertEquals("y", m.targetName());
        Dataset<Row> scored = m.transform(data);
        List<String> columns = new ArrayList<>(List.of(data.columns()));
        columns.add("prediction");
        assertEquals(columns, List.of(scored.columns()), "transform adds prediction only");
        assertEquals("double", scored.schema().apply("prediction").dataType().simpleString());

        double rmse = new RegressionEvaluator().setLabelCol("y").setMetricName("rmse").evaluate(scored);
        double std = data.agg(functions.stddev_pop("y")).first().getDouble(0);
        // Predicting the mean scores rmse = std (about 0.29 for y uniform in [0, 1)).
        System.out.printf("regressor rmse %.4f, predicting the mean %.4f%n", rmse, std);
        assertTrue(rmse < 0.6 * std, "rmse " + rmse + " must beat the mean's " + std + " clearly");

        String path = tmp.resolve("model").toString();
        m.save(path);
        BraggRegressionModel loaded = BraggRegressionModel.load(path);
        assertEquals(m.uid(), loaded.uid());
        assertEquals(predictions(scored), predictions(loaded.transform(data)));
    }

    private static List<Row> predictions(Dataset<Row> scored) {
        return scored.orderBy("id").select("id", "prediction").collectAsList();
    }

    @Test
    void schemaErrorsNameColumnExpectedAndFoundBeforeTraining() {
        Path ck = tmp.resolve("ck");
        Dataset<Row> data = MlFixtures.regression(spark, 24);
        BraggRegressor r = MlFixtures.tinyRegressor().setCheckpointDir(ck.toString());

        String missing = assertThrows(IllegalArgumentException.class, () -> r.fit(data.drop("y"))).getMessage();
        assertTrue(missing.contains("labelCol: the input has no column 'y'") && missing.contains("id, pattern"), missing);

        String type = assertThrows(IllegalArgumentException.class,
                () -> r.fit(data.withColumn("y", functions.lit("high")))).getMessage();
        assertTrue(type.contains("labelCol: column 'y' must be numeric (a target value), found string"), type);

        String features = assertThrows(IllegalArgumentException.class,
                () -> r.fit(data.withColumn("pattern", functions.array(functions.lit(1.0))))).getMessage();
        assertTrue(features.contains("column 'pattern' must be array<float> or binary")
                && features.contains("found array<double>"), features);

        String length = assertThrows(IllegalArgumentException.class,
                () -> r.copy(new org.apache.spark.ml.param.ParamMap()).setPatternShape(new int[] {1, 4, 4}).setPatch(2)
                        .fit(data)).getMessage();
        assertTrue(length.contains("column 'pattern': a row holds 64 values, patternShape [1, 4, 4] needs 16"), length);

        String exists = assertThrows(IllegalArgumentException.class,
                () -> r.transformSchema(data.withColumn("prediction", functions.lit(0.0)).schema())).getMessage();
        assertTrue(exists.contains("predictionCol: output column 'prediction' already exists"), exists);

        String stack = assertThrows(IllegalArgumentException.class,
                () -> r.copy(new org.apache.spark.ml.param.ParamMap()).setModelKind("stack").fit(data)).getMessage();
        assertTrue(stack.contains("modelKind = stack needs samples of K+1 >= 2 layers"), stack);

        assertFalse(Files.exists(ck), "no training may start: no checkpoint folder");
    }
}
