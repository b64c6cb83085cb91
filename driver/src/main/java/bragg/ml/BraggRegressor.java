package bragg.ml;

import java.util.List;
import org.apache.spark.ml.util.Identifiable$;
import org.apache.spark.ml.util.MLReader;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.types.StructField;

/**
 * Spark ML Estimator of a bragg regressor (one output, identity head, MSE on the double in
 * labelCol): {@code fit} trains on the barrier stage of {@code bragg train}, the same path as
 * {@link BraggClassifier} with the regression head, and returns a {@link BraggRegressionModel},
 * which adds {@code prediction}. Params and checks: {@link BraggEstimator}.
 */
public final class BraggRegressor extends BraggEstimator<BraggRegressionModel, BraggRegressor> {

    public BraggRegressor() {
        this(Identifiable$.MODULE$.randomUID("braggRegressor"));
    }

    public BraggRegressor(String uid) {
        super(uid, BraggRegressionModel::new, "target value (numeric, read as a double)", "predicted target value (double)");
    }

    @Override
    String head() {
        return "regression";
    }

    /** One target, named after the label column. */
    @Override
    List<String> outputNames(Dataset<Row> rows, StructField features) {
        return List.of(getLabelCol());
    }

    public static MLReader<BraggRegressor> read() {
        return new ParamsOnlyWriter.Reader<>(BraggRegressor.class, BraggRegressor::new);
    }

    public static BraggRegressor load(String path) {
        return read().load(path);
    }
}
