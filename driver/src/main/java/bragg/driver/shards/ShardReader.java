package bragg.driver.shards;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.Path;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;

/**
 * Opens a shard folder written by {@link ShardWriter}: checks the manifest, the part files against
 * it ({@link ShardParts#verify}) and the schema, before any Spark job reads a row.
 */
public final class ShardReader {
    private ShardReader() {
    }

    public static Shards read(SparkSession spark, String path) throws IOException {
        Manifest m = manifest(spark.sparkContext().hadoopConfiguration(), path);
        ShardParts.verify(spark.sparkContext().hadoopConfiguration(), path, m);
        // Only the Parquet files: manifest.json sits in the same folder.
        Dataset<Row> rows = spark.read().option("pathGlobFilter", "*.parquet").parquet(path);
        for (String col : ShardSchema.SCHEMA.fieldNames()) {
            if (!java.util.Arrays.asList(rows.columns()).contains(col)) {
                throw new IllegalArgumentException(path + ": shard Parquet files lack column '" + col + "' (have " + String.join(", ", rows.columns()) + ")");
            }
        }
        return new Shards(rows.select("id", "pos", "label", "target", "pattern"), m);
    }

    /** Reads and validates {@code <path>/manifest.json} (any Hadoop file system). */
    public static Manifest manifest(Configuration conf, String path) throws IOException {
        Path p = new Path(path, Manifest.FILE);
        FileSystem fs = p.getFileSystem(conf);
        if (!fs.exists(p)) throw new java.io.FileNotFoundException(path + ": no " + Manifest.FILE + " (not a shard folder, or a preprocess job that did not finish)");
        try (InputStream in = fs.open(p)) {
            return Manifest.fromJson(new String(in.readAllBytes(), StandardCharsets.UTF_8), p.toString());
        }
    }
}
