package bragg.ml;

import java.util.List;
import org.apache.spark.ml.util.MLReader;

/**
 * A trained bragg regressor as a Spark ML Transformer: {@code transform} adds {@code prediction}
 * (the model's one output, double). Scoring, saving and loading: {@link BraggModel}.
 */
public final class BraggRegressionModel extends BraggModel<BraggRegressionModel> {

    BraggRegressionModel(String uid, byte[] modelZip, int[] shape, List<String> targetNames) {
        super(uid, modelZip, shape, targetNames, false, BraggRegressionModel::new, "target value (numeric)",
                "predicted target value (double)");
    }

    /** The name of the target the model predicts (the label column it was fitted on). */
    public String targetName() {
        return outputNames().get(0);
    }

    public static MLReader<BraggRegressionModel> read() {
        return new Reader<>(BraggRegressionModel.class, BraggRegressionModel::new);
    }

    public static BraggRegressionModel load(String path) {
        return read().load(path);
    }
}
