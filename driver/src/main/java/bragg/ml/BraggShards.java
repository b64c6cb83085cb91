package bragg.ml;

import bragg.driver.shards.Manifest;
import bragg.driver.shards.ShardReader;
import bragg.driver.shards.Shards;
import java.io.IOException;
import java.io.UncheckedIOException;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.functions;

/** Preprocessed shards (bragg preprocess) as a DataFrame for Spark ML. */
public final class BraggShards {
    private BraggShards() {
    }

    /**
     * The shard folder's rows: {@code id} (long), {@code position} (array<int>, the scan or stack
     * position), {@code label} (int, -1 unlabelled), {@code target} (array<float>, regression
     * targets) and {@code pattern} (binary), whose metadata carries the manifest's sample shape,
     * dtype and label names.
     */
    public static Dataset<Row> read(SparkSession spark, String path) {
        Shards s;
        try {
            s = ShardReader.read(spark, path);
        } catch (IOException e) {
            throw new UncheckedIOException(path + ": " + e.getMessage(), e);
        }
        Manifest m = s.manifest();
        return s.rows().select(functions.col("id"), functions.col("pos").as("position"), functions.col("label"),
                functions.col("target"),
                functions.col("pattern").as("pattern", FeatureColumn.metadata(m.sampleShape(), m.dtype(), m.labelNames())));
    }
}
