package bragg.driver.shards;

import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;

/** A shard folder opened for reading: its rows and its manifest. */
public record Shards(Dataset<Row> rows, Manifest manifest) {
}
