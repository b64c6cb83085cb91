package bragg.ml;

import bragg.driver.score.BatchScorer;
import bragg.driver.score.Predictions;
import java.util.Iterator;
import org.apache.spark.api.java.function.MapPartitionsFunction;
import org.apache.spark.broadcast.Broadcast;
import org.apache.spark.ml.linalg.SQLDataTypes;
import org.apache.spark.ml.linalg.Vectors;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructType;
import org.deeplearning4j.nn.graph.ComputationGraph;

/**
 * One task of a model's transform: restore the broadcast model once, score the partition through
 * {@link BatchScorer} (the loop bragg infer and evaluate run), and append the prediction (the most
 * probable class as a double, or a regressor's one output) and, for a classifier, the class
 * probabilities (a Spark ML vector) to every row.
 */
final class ScoreRows implements MapPartitionsFunction<Row, Row> {
    private final Broadcast<byte[]> model;
    private final int[] shape;
    private final int batch;
    private final int features;
    private final boolean binary;
    private final String dtype;
    private final boolean classify;
    private final boolean probability;

    ScoreRows(Broadcast<byte[]> model, int[] shape, int batch, int features, boolean binary, String dtype,
              boolean classify, boolean probability) {
        this.model = model;
        this.shape = shape;
        this.batch = batch;
        this.features = features;
        this.binary = binary;
        this.dtype = dtype;
        this.classify = classify;
        this.probability = probability;
    }

    /** The input schema plus prediction (double) and, when named, probability (vector). */
    static StructType outputSchema(StructType in, String prediction, String probability) {
        FeatureColumn.checkAbsent(in, "predictionCol", prediction);
        StructType out = in.add(prediction, DataTypes.DoubleType, false);
        if (!probability.isEmpty()) {
            FeatureColumn.checkAbsent(in, "probabilityCol", probability);
            out = out.add(probability, SQLDataTypes.VectorType(), false);
        }
        return out;
    }

    @Override
    public Iterator<Row> call(Iterator<Row> rows) {
        if (!rows.hasNext()) {
            return java.util.Collections.emptyIterator();
        }
        ComputationGraph g = Predictions.restore(model.value(), "broadcast model");
        return BatchScorer.score(rows, g, shape, batch, r -> FeatureColumn.floats(r, features, binary, dtype),
                r -> "a row of features column " + features, this::append);
    }

    private Row append(Row r, float[] out) {
        int n = r.length();
        Object[] v = new Object[n + (probability ? 2 : 1)];
        for (int i = 0; i < n; i++) {
            v[i] = r.get(i);
        }
        int best = 0;
        double[] p = new double[out.length];
        for (int k = 0; k < out.length; k++) {
            p[k] = out[k];
            if (out[k] > out[best]) {
                best = k;
            }
        }
        v[n] = classify ? (double) best : p[0];
        if (probability) {
            v[n + 1] = Vectors.dense(p);
        }
        return RowFactory.create(v);
    }
}
