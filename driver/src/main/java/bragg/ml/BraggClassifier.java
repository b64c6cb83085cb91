package bragg.ml;

import java.util.List;
import java.util.stream.IntStream;
import org.apache.spark.ml.param.Param;
import org.apache.spark.ml.util.Identifiable$;
import org.apache.spark.ml.util.MLReader;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.functions;
import org.apache.spark.sql.types.StructField;

/**
 * Spark ML Estimator of a bragg classifier (softmax head, cross-entropy on the class index in
 * labelCol): {@code fit} trains on the barrier stage of {@code bragg train} and returns a
 * {@link BraggClassificationModel}, which adds {@code prediction} and {@code probability}. Params
 * and checks: {@link BraggEstimator}.
 */
public final class BraggClassifier extends BraggEstimator<BraggClassificationModel, BraggClassifier> {
    private final Param<String> probabilityCol;

    public BraggClassifier() {
        this(Identifiable$.MODULE$.randomUID("braggClassifier"));
    }

    public BraggClassifier(String uid) {
        super(uid, BraggClassificationModel::new, "class index (numeric)", "predicted class index (double)");
        probabilityCol = new Param<>(this, "probabilityCol", "class probabilities (vector)");
        setDefault(probabilityCol, "probability");
    }

    public Param<String> probabilityCol() { return probabilityCol; }
    public BraggClassifier setProbabilityCol(String v) { set(probabilityCol, v); return this; }
    public String getProbabilityCol() { return $(probabilityCol); }

    @Override
    String head() {
        return "classification";
    }

    @Override
    String probabilityColumn() {
        return getProbabilityCol();
    }

    /** The features column's label names, else "0".."K-1" for the largest class index K-1. */
    @Override
    List<String> outputNames(Dataset<Row> rows, StructField features) {
        List<String> labels = FeatureColumn.labels(features);
        if (labels == null) {
            Row max = rows.agg(functions.max("label")).first();
            int classes = max.isNullAt(0) ? 0 : max.getInt(0) + 1;
            labels = IntStream.range(0, classes).mapToObj(Integer::toString).toList();
        }
        if (labels.size() < 2) {
            throw new IllegalArgumentException("labelCol: column '" + getLabelCol() + "' names " + labels.size()
                    + " class(es); a classifier needs at least 2");
        }
        return labels;
    }

    public static MLReader<BraggClassifier> read() {
        return new ParamsOnlyWriter.Reader<>(BraggClassifier.class, BraggClassifier::new);
    }

    public static BraggClassifier load(String path) {
        return read().load(path);
    }
}
