package bragg.driver.shards;

import org.apache.parquet.schema.MessageType;
import org.apache.parquet.schema.MessageTypeParser;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructType;

/** The Parquet row of the Shards contract: id, pos, label, target, pattern. */
public final class ShardSchema {
    private ShardSchema() {
    }

    public static final StructType SCHEMA = new StructType()
            .add("id", DataTypes.LongType, false)
            .add("pos", DataTypes.createArrayType(DataTypes.IntegerType, false), false)
            .add("label", DataTypes.IntegerType, false)
            .add("target", DataTypes.createArrayType(DataTypes.FloatType, false), false)
            .add("pattern", DataTypes.BinaryType, false);

    /**
     * {@link #SCHEMA} as Parquet, as Spark's own writer spells it (three-level lists, required
     * fields; checked against a Spark-written file in ShardPartWriterTest).
     */
    public static final MessageType PARQUET = MessageTypeParser.parseMessageType("""
            message spark_schema {
              required int64 id;
              required group pos (LIST) {
                repeated group list {
                  required int32 element;
                }
              }
              required int32 label;
              required group target (LIST) {
                repeated group list {
                  required float element;
                }
              }
              required binary pattern;
            }
            """);
}
