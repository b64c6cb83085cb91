package bragg.driver.shards;

import java.util.Map;
import java.util.function.IntConsumer;
import org.apache.hadoop.conf.Configuration;
import org.apache.parquet.hadoop.api.WriteSupport;
import org.apache.parquet.io.api.Binary;
import org.apache.parquet.io.api.RecordConsumer;

/**
 * Writes {@link ShardRow}s as the Parquet records Spark writes for {@link ShardSchema#SCHEMA}:
 * the same Parquet schema ({@link ShardSchema#PARQUET}: three-level lists) and the same footer
 * key Spark reads its column types and nullability back from, so {@code spark.read.parquet}
 * reads the same schema and values as from a DataFrame write, without Spark SQL's row conversion
 * and copies per row.
 */
final class ShardWriteSupport extends WriteSupport<ShardRow> {
    /** The footer key under which Spark stores the schema of the rows (its ParquetReadSupport reads it). */
    static final String SPARK_SCHEMA_KEY = "org.apache.spark.sql.parquet.row.metadata";

    private RecordConsumer out;

    @Override
    public WriteContext init(Configuration conf) {
        return new WriteContext(ShardSchema.PARQUET, Map.of(SPARK_SCHEMA_KEY, ShardSchema.SCHEMA.json()));
    }

    @Override
    public void prepareForWrite(RecordConsumer consumer) {
        this.out = consumer;
    }

    @Override
    public void write(ShardRow r) {
        out.startMessage();
        out.startField("id", 0);
        out.addLong(r.id);
        out.endField("id", 0);
        list("pos", 1, r.posLen, i -> out.addInteger(r.pos[r.posOff + i]));
        out.startField("label", 2);
        out.addInteger(r.label);
        out.endField("label", 2);
        list("target", 3, r.targetLen, i -> out.addFloat(r.target[r.targetOff + i]));
        out.startField("pattern", 4);
        // reused: the writer copies the bytes into its page (and copies them again only for a new min/max)
        out.addBinary(Binary.fromReusedByteArray(r.pattern, 0, r.patternLen));
        out.endField("pattern", 4);
        out.endMessage();
    }

    /** A required three-level list field: group (LIST) { repeated group list { required element } }. */
    private void list(String name, int index, int len, IntConsumer element) {
        out.startField(name, index);
        out.startGroup();
        if (len > 0) {
            out.startField("list", 0);
            for (int i = 0; i < len; i++) {
                out.startGroup();
                out.startField("element", 0);
                element.accept(i);
                out.endField("element", 0);
                out.endGroup();
            }
            out.endField("list", 0);
        }
        out.endGroup();
        out.endField(name, index);
    }
}
