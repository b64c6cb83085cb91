package bragg.driver.score;

import bragg.driver.shards.Manifest;
import bragg.driver.shards.PatternCodec;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.Serializable;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.Iterator;
import java.util.List;
import org.apache.spark.api.java.JavaSparkContext;
import org.apache.spark.api.java.function.FlatMapFunction;
import org.apache.spark.broadcast.Broadcast;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.deeplearning4j.nn.graph.ComputationGraph;
import org.deeplearning4j.util.ModelSerializer;

/**
 * Runs a trained model over shard rows inside Spark tasks (the model zip is broadcast once per
 * executor, each task restores it and predicts its rows in minibatches through {@link BatchScorer}) and brings back one small
 * record per row: id, position, true label/targets and the model's outputs. The outputs of a
 * 256 x 256 scan are a few MB, so they are collected to the driver for scores and maps.
 */
public final class Predictions {
    private Predictions() {
    }

    /**
     * One row's prediction. A plain class with a no-argument constructor, not a record: Spark's
     * Kryo builds it on the driver when the tasks' results come back, and it cannot build records.
     */
    public static final class Prediction implements Serializable {
        private long id;
        private int[] pos;
        private int label;
        private float[] target;
        /** The model's output row: class probabilities (classification) or values (regression). */
        private float[] output;

        public Prediction() {
        }

        public Prediction(long id, int[] pos, int label, float[] target, float[] output) {
            this.id = id;
            this.pos = pos;
            this.label = label;
            this.target = target;
            this.output = output;
        }

        public long id() {
            return id;
        }

        public int[] pos() {
            return pos;
        }

        public int label() {
            return label;
        }

        public float[] target() {
            return target;
        }

        public float[] output() {
            return output;
        }

        /** The most probable class. */
        public int predictedClass() {
            int best = 0;
            for (int i = 1; i < output.length; i++) {
                if (output[i] > output[best]) {
                    best = i;
                }
            }
            return best;
        }
    }

    /** Predicts every row of {@code rows} (a shard Dataset, possibly filtered), sorted by id. */
    public static List<Prediction> run(Dataset<Row> rows, Manifest m, byte[] modelZip, int batchSize) {
        if (batchSize < 1) {
            throw new IllegalArgumentException("prediction batch size must be >= 1, got " + batchSize);
        }
        JavaSparkContext jsc = JavaSparkContext.fromSparkContext(rows.sparkSession().sparkContext());
        // Broadcast: the zip travels to each executor once, not with every task.
        Broadcast<byte[]> model = jsc.broadcast(modelZip);
        try {
            List<Prediction> out = new ArrayList<>(rows.javaRDD()
                    .mapPartitions(new PredictPartition(model, m.sampleShape(), m.dtype(), batchSize))
                    .collect());
            out.sort(Comparator.comparingLong(Prediction::id));
            return out;
        } finally {
            model.destroy();
        }
    }

    /** Restores a model from ModelSerializer zip bytes (no updater state: inference only). */
    public static ComputationGraph restore(byte[] zip, String where) {
        try {
            return ModelSerializer.restoreComputationGraph(new ByteArrayInputStream(zip), false);
        } catch (IOException | RuntimeException e) {
            throw new IllegalArgumentException(where + ": not a bragg model (DL4J ComputationGraph zip): " + e.getMessage(), e);
        }
    }

    /** One task: restore the model, predict the partition's rows in minibatches. */
    private static final class PredictPartition implements FlatMapFunction<Iterator<Row>, Prediction> {
        private final Broadcast<byte[]> model;
        private final int[] shape;   // [C, H, W] of one pattern
        private final String dtype;
        private final int batch;

        PredictPartition(Broadcast<byte[]> model, int[] shape, String dtype, int batch) {
            this.model = model;
            this.shape = shape;
            this.dtype = dtype;
            this.batch = batch;
        }

        @Override
        public Iterator<Prediction> call(Iterator<Row> it) {
            if (!it.hasNext()) {
                return java.util.Collections.emptyIterator();
            }
            ComputationGraph g = restore(model.value(), "broadcast model");
            return BatchScorer.score(it, g, shape, batch,
                    r -> PatternCodec.decode(r.getAs("pattern"), dtype),
                    r -> "shard row id " + r.getLong(r.fieldIndex("id")),
                    PredictPartition::prediction);
        }

        private static Prediction prediction(Row r, float[] output) {
            List<Integer> pos = r.getList(r.fieldIndex("pos"));
            List<Float> target = r.getList(r.fieldIndex("target"));
            float[] t = new float[target.size()];
            for (int k = 0; k < t.length; k++) {
                t[k] = target.get(k);
            }
            return new Prediction(r.getLong(r.fieldIndex("id")), pos.stream().mapToInt(Integer::intValue).toArray(),
                    r.getInt(r.fieldIndex("label")), t, output);
        }
    }

}
