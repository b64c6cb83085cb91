package bragg.ml;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.Path;
import org.apache.spark.ml.param.Param;
import org.apache.spark.ml.param.Params;
import org.apache.spark.sql.SparkSession;

/**
 * {@code <path>/metadata/part-00000}: one JSON line in the layout of Spark's own
 * DefaultParamsWriter (class, timestamp, sparkVersion, uid, paramMap, defaultParamMap), so that
 * PipelineModel.load finds the stage's class and calls its {@code read()}; bragg's own entries
 * (pattern shape, dtype, label names) sit beside them under "bragg".
 */
final class ParamsFile {
    private static final ObjectMapper JSON = new ObjectMapper();

    private ParamsFile() {
    }

    /** What a saved stage holds: its uid, its bragg entries and the whole metadata object. */
    record Saved(String uid, JsonNode bragg, JsonNode root) {
    }

    @SuppressWarnings({"unchecked", "rawtypes"})
    static void write(Params stage, String path, SparkSession spark, ObjectNode bragg) {
        ObjectNode root = JSON.createObjectNode();
        root.put("class", stage.getClass().getName());
        root.put("timestamp", System.currentTimeMillis());
        root.put("sparkVersion", spark.version());
        root.put("uid", stage.uid());
        ObjectNode set = root.putObject("paramMap");
        ObjectNode defaults = root.putObject("defaultParamMap");
        for (Param p : stage.params()) {
            try {
                if (stage.isSet(p)) {
                    set.set(p.name(), JSON.readTree(p.jsonEncode(stage.getOrDefault(p))));
                }
                if (stage.hasDefault(p)) {
                    defaults.set(p.name(), JSON.readTree(p.jsonEncode(stage.getDefault(p).get())));
                }
            } catch (IOException e) {
                throw new IllegalStateException("param " + p.name() + " does not encode as JSON: " + e.getMessage(), e);
            }
        }
        if (bragg != null) {
            root.set("bragg", bragg);
        }
        Path file = new Path(new Path(path, "metadata"), "part-00000");
        try (OutputStream out = file.getFileSystem(spark.sparkContext().hadoopConfiguration()).create(file, false)) {
            out.write((JSON.writeValueAsString(root) + "\n").getBytes(StandardCharsets.UTF_8));
        } catch (IOException e) {
            throw new UncheckedIOException(file + ": cannot write: " + e.getMessage(), e);
        }
    }

    /** Reads the metadata of a stage saved by {@link #write}, checking it is of {@code expected}'s class. */
    static Saved read(String path, SparkSession spark, Class<?> expected) {
        Path file = new Path(new Path(path, "metadata"), "part-00000");
        JsonNode root;
        try {
            FileSystem fs = file.getFileSystem(spark.sparkContext().hadoopConfiguration());
            if (!fs.exists(file)) {
                throw new IllegalArgumentException(path + ": no metadata/part-00000 (not a saved bragg.ml stage)");
            }
            try (InputStream in = fs.open(file)) {
                root = JSON.readTree(in);
            }
        } catch (IOException e) {
            throw new UncheckedIOException(file + ": cannot read: " + e.getMessage(), e);
        }
        String cls = root.path("class").asText();
        if (!cls.equals(expected.getName())) {
            throw new IllegalArgumentException(file + ": holds a " + cls + ", expected a " + expected.getName());
        }
        return new Saved(root.path("uid").asText(), root.path("bragg"), root);
    }

    /** Sets the params the saved stage had set explicitly (defaults come from the constructor). */
    @SuppressWarnings({"unchecked", "rawtypes"})
    static void apply(Params stage, Saved saved) {
        var it = saved.root().path("paramMap").fields();
        while (it.hasNext()) {
            var e = it.next();
            Param p = stage.getParam(e.getKey());
            stage.set(p, p.jsonDecode(e.getValue().toString()));
        }
    }
}
