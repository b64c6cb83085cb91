package bragg.driver.shards;

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
}
