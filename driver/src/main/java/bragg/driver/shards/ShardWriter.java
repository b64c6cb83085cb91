package bragg.driver.shards;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.util.UUID;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.Path;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SaveMode;

/**
 * Writes a shard folder atomically: Parquet files and manifest.json go to a hidden temporary
 * folder next to the target, which is renamed to the target only when both are complete, so
 * a failed job leaves no half-written dataset (the temporary folder is removed on failure).
 */
public final class ShardWriter {
    private ShardWriter() {
    }

    /** Writes the part files of a shard folder into the (existing, empty) folder it is given. */
    @FunctionalInterface
    public interface Parts {
        void writeInto(Path dir) throws IOException;
    }

    /**
     * @param rows rows with {@link ShardSchema#SCHEMA}; each Spark partition becomes one Parquet file
     * @param overwrite replace an existing target (after the new one is complete)
     * @return the manifest as written: {@code manifest} with its part files listed ({@link ShardParts})
     */
    public static Manifest write(Dataset<Row> rows, Manifest manifest, String out, boolean overwrite, Configuration conf) throws IOException {
        if (!rows.schema().equals(ShardSchema.SCHEMA)) {
            throw new IllegalArgumentException("shard rows have schema " + rows.schema().simpleString() + ", expected " + ShardSchema.SCHEMA.simpleString());
        }
        // No dictionary for the pattern bytes: every pattern differs, so Parquet would hash the
        // first megabyte of each row group's patterns only to fall back to plain encoding.
        return write(dir -> rows.write().mode(SaveMode.Overwrite).option("compression", "snappy")
                .option("parquet.enable.dictionary#pattern", "false").parquet(dir.toString()), manifest, out, overwrite, conf);
    }

    /**
     * The same for part files written by other means (each task its own file: {@link ShardPartWriter}).
     * The Parquet files found in the folder afterwards are what the manifest lists.
     */
    public static Manifest write(Parts parts, Manifest manifest, String out, boolean overwrite, Configuration conf) throws IOException {
        Path target = new Path(out);
        FileSystem fs = target.getFileSystem(conf);
        if (fs.exists(target) && !overwrite) {
            throw new IllegalArgumentException(out + ": output already exists; choose another output or set overwrite");
        }
        Path tmp = new Path(target.getParent(), "." + target.getName() + ".tmp-" + UUID.randomUUID());
        boolean done = false;
        try {
            if (!fs.mkdirs(tmp)) throw new IOException("could not create " + tmp);
            parts.writeInto(tmp);
            Manifest listed = ShardParts.record(manifest, ShardParts.scan(fs, tmp, conf));
            try (OutputStream o = fs.create(new Path(tmp, Manifest.FILE), false)) {
                o.write(listed.toJson().getBytes(StandardCharsets.UTF_8));
            }
            if (fs.exists(target)) fs.delete(target, true);
            if (!fs.rename(tmp, target)) throw new IOException("could not rename " + tmp + " to " + target);
            done = true;
            return listed;
        } finally {
            if (!done) fs.delete(tmp, true);
        }
    }
}
