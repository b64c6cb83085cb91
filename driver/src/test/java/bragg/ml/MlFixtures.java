package bragg.ml;

import bragg.driver.shards.Manifest;
import bragg.driver.shards.PatternCodec;
import bragg.driver.shards.ShardSchema;
import bragg.driver.shards.ShardWriter;
import bragg.driver.spark.SparkSessions;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructType;

/** A small 3-class set of [1, 8, 8] patterns (class k: a bright quadrant k) and a tiny model for it. */
final class MlFixtures {
    static final int[] SHAPE = {1, 8, 8};
    static final List<String> LABELS = List.of("ferrite", "austenite", "martensite");

    private MlFixtures() {
    }

    static SparkSession spark() {
        return SparkSessions.getOrCreate("bragg-ml-test", Map.of("spark.master", "local[2]", "spark.ui.enabled", "false",
                "spark.barrier.sync.timeout", "120s", "spark.sql.shuffle.partitions", "2"));
    }

    /** A classifier small enough to fit in seconds on local[2]. */
    static BraggClassifier tiny() {
        return new BraggClassifier().setDim(8).setHeads(2).setBlocks(1).setPatch(4).setEpochs(3).setBatchSize(8)
                .setLearningRate(1e-2).setReplicas(2).setDevice("java");
    }

    static float[] pattern(int i, int label) {
        Random r = new Random(99L + i);
        float[] x = new float[64];
        for (int y = 0; y < 8; y++) {
            for (int c = 0; c < 8; c++) {
                int quadrant = (y / 4) * 2 + c / 4;
                x[y * 8 + c] = (float) (r.nextGaussian() * 0.3 + (quadrant == label ? 2.0 : 0.0));
            }
        }
        return x;
    }

    /** {@code count} rows (id long, label int, pattern array<float>). */
    static Dataset<Row> arrays(SparkSession spark, int count) {
        List<Row> rows = new ArrayList<>();
        for (int i = 0; i < count; i++) {
            float[] p = pattern(i, i % 3);
            Float[] boxed = new Float[p.length];
            for (int k = 0; k < p.length; k++) {
                boxed[k] = p[k];
            }
            rows.add(RowFactory.create((long) i, i % 3, boxed));
        }
        StructType schema = new StructType().add("id", DataTypes.LongType).add("label", DataTypes.IntegerType)
                .add("pattern", DataTypes.createArrayType(DataTypes.FloatType));
        return spark.createDataFrame(rows, schema).repartition(2);
    }

    /**
     * {@code count} rows (id long, y double, pattern array<float>) of a regression set: y uniform in
     * [0, 1), the pattern's top-left quadrant 2y bright over the same noise as {@link #pattern}.
     */
    static Dataset<Row> regression(SparkSession spark, int count) {
        List<Row> rows = new ArrayList<>();
        Random r = new Random(7);   // one stream: the first draws of neighbouring seeds are nearly equal
        for (int i = 0; i < count; i++) {
            double y = r.nextDouble();
            Float[] x = new Float[64];
            for (int k = 0; k < 64; k++) {
                boolean bright = k / 8 < 4 && k % 8 < 4;
                x[k] = (float) (r.nextGaussian() * 0.3 + (bright ? 2 * y : 0));
            }
            rows.add(RowFactory.create((long) i, y, x));
        }
        StructType schema = new StructType().add("id", DataTypes.LongType).add("y", DataTypes.DoubleType)
                .add("pattern", DataTypes.createArrayType(DataTypes.FloatType));
        return spark.createDataFrame(rows, schema).repartition(2);
    }

    /** A regressor as small as {@link #tiny()}. */
    static BraggRegressor tinyRegressor() {
        return new BraggRegressor().setDim(8).setHeads(2).setBlocks(1).setPatch(4).setEpochs(3).setBatchSize(8)
                .setLearningRate(1e-2).setReplicas(2).setDevice("java").setLabelCol("y").setPatternShape(SHAPE);
    }

    /** A shard folder of {@code count} rows as preprocess writes it (Parquet + manifest.json). */
    static String shards(SparkSession spark, String out, int count) throws IOException {
        List<Row> rows = new ArrayList<>();
        for (int i = 0; i < count; i++) {
            float[] p = pattern(i, i % 3);
            rows.add(RowFactory.create((long) i, new Integer[] {i / 8, i % 8}, i % 3, new Float[0],
                    PatternCodec.encode(p, 0, p.length, "float32")));
        }
        Dataset<Row> df = spark.createDataFrame(rows, ShardSchema.SCHEMA).repartition(2);
        Manifest m = new Manifest(1, "4dstem", SHAPE, "float32", count, LABELS,
                Map.of("ferrite", (long) (count + 2) / 3), Map.of("method", "none"), List.of(), Map.of());
        ShardWriter.write(df, m, out, false, spark.sparkContext().hadoopConfiguration());
        return out;
    }
}
