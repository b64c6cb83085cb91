package bragg.ml;

import bragg.driver.shards.PatternCodec;
import java.util.Arrays;
import java.util.List;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.functions;
import org.apache.spark.sql.types.ArrayType;
import org.apache.spark.sql.types.DataType;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.Metadata;
import org.apache.spark.sql.types.MetadataBuilder;
import org.apache.spark.sql.types.StructField;
import org.apache.spark.sql.types.StructType;

/**
 * The features column of bragg.ml: {@code array<float>}, or {@code binary} holding the patterns as
 * the shards store them (float32 or float16, little-endian). Its metadata may carry the pattern
 * shape, the dtype of the bytes and the label names ({@link BraggShards} writes them), so a
 * Dataset read from shards needs no other setting.
 */
final class FeatureColumn {
    static final String SHAPE = "bragg_pattern_shape";
    static final String DTYPE = "bragg_pattern_dtype";
    static final String LABELS = "bragg_label_names";

    private FeatureColumn() {
    }

    /** Metadata for a pattern column of {@code shape} stored as {@code dtype}, with the dataset's label names. */
    static Metadata metadata(int[] shape, String dtype, List<String> labels) {
        return new MetadataBuilder()
                .putLongArray(SHAPE, Arrays.stream(shape).asLongStream().toArray())
                .putString(DTYPE, dtype)
                .putStringArray(LABELS, labels.toArray(new String[0]))
                .build();
    }

    /** The column's field, checked to be array<float> or binary; the error names the param, the column and both types. */
    static StructField field(StructType schema, String param, String col) {
        if (!Arrays.asList(schema.fieldNames()).contains(col)) {
            throw new IllegalArgumentException(param + ": the input has no column '" + col + "' (columns: "
                    + String.join(", ", schema.fieldNames()) + ")");
        }
        StructField f = schema.apply(col);
        if (!isArrayOfFloat(f.dataType()) && !f.dataType().equals(DataTypes.BinaryType)) {
            throw new IllegalArgumentException(param + ": column '" + col + "' must be array<float> or binary "
                    + "(float32 little-endian patterns), found " + f.dataType().simpleString());
        }
        return f;
    }

    /** A numeric label column holding {@code what}; the error names the param, the column and its type. */
    static void checkNumeric(StructType schema, String param, String col, String what) {
        if (!Arrays.asList(schema.fieldNames()).contains(col)) {
            throw new IllegalArgumentException(param + ": the input has no column '" + col + "' (columns: "
                    + String.join(", ", schema.fieldNames()) + ")");
        }
        DataType t = schema.apply(col).dataType();
        if (!(t instanceof org.apache.spark.sql.types.NumericType)) {
            throw new IllegalArgumentException(param + ": column '" + col + "' must be numeric (" + what + "), found "
                    + t.simpleString());
        }
    }

    /** A column the stage is about to add must not exist yet. */
    static void checkAbsent(StructType schema, String param, String col) {
        if (Arrays.asList(schema.fieldNames()).contains(col)) {
            throw new IllegalArgumentException(param + ": output column '" + col + "' already exists in the input");
        }
    }

    static boolean isArrayOfFloat(DataType t) {
        return t instanceof ArrayType a && a.elementType().equals(DataTypes.FloatType);
    }

    /** The shape [C, H, W]: the param when set, else the column's metadata; fails naming both when neither has it. */
    static int[] shape(StructField f, int[] param) {
        int[] s = param;
        if (s == null && f.metadata().contains(SHAPE)) {
            s = Arrays.stream(f.metadata().getLongArray(SHAPE)).mapToInt(v -> (int) v).toArray();
        }
        if (s == null) {
            throw new IllegalArgumentException("patternShape: not set, and column '" + f.name() + "' carries no "
                    + SHAPE + " metadata (set patternShape to [C, H, W], or read the data with BraggShards.read)");
        }
        if (s.length != 3 || Arrays.stream(s).anyMatch(d -> d <= 0)) {
            throw new IllegalArgumentException("patternShape: must be [C, H, W] with every axis > 0, found "
                    + Arrays.toString(s));
        }
        return s;
    }

    /** The encoding of a binary column's bytes (metadata, else float32); array columns are float32 values. */
    static String dtype(StructField f) {
        if (f.dataType().equals(DataTypes.BinaryType) && f.metadata().contains(DTYPE)) {
            return f.metadata().getString(DTYPE);
        }
        return "float32";
    }

    /** Label names from the metadata, or null. */
    static List<String> labels(StructField f) {
        return f.metadata().contains(LABELS) ? List.of(f.metadata().getStringArray(LABELS)) : null;
    }

    /**
     * Fails, before any training or scoring, when a row's pattern does not hold C*H*W values;
     * names the column, the first bad length and what the shape needs.
     */
    static void checkLengths(Dataset<Row> data, StructField f, int[] shape) {
        int n = shape[0] * shape[1] * shape[2];
        boolean binary = f.dataType().equals(DataTypes.BinaryType);
        int bytes = n * ("float16".equals(dtype(f)) ? 2 : 4);
        org.apache.spark.sql.Column len = binary ? functions.length(functions.col(f.name()))
                : functions.size(functions.col(f.name()));
        int expected = binary ? bytes : n;
        List<Row> bad = data.select(len.as("n")).filter(functions.col("n").notEqual(expected)).limit(1).collectAsList();
        if (!bad.isEmpty()) {
            throw new IllegalArgumentException("column '" + f.name() + "': a row holds " + bad.get(0).get(0)
                    + (binary ? " bytes" : " values") + ", patternShape " + Arrays.toString(shape) + " needs " + expected
                    + (binary ? " bytes (" + n + " " + dtype(f) + " values)" : " values"));
        }
    }

    /** One row's pattern as floats. */
    static float[] floats(Row r, int index, boolean binary, String dtype) {
        if (binary) {
            return PatternCodec.decode((byte[]) r.get(index), dtype);
        }
        List<Float> v = r.getList(index);
        float[] out = new float[v.size()];
        for (int i = 0; i < out.length; i++) {
            out[i] = v.get(i);
        }
        return out;
    }
}
