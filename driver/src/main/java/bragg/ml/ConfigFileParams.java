package bragg.ml;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigException;
import com.typesafe.config.ConfigFactory;
import java.io.File;
import java.util.Map;
import org.apache.spark.ml.param.DoubleParam;
import org.apache.spark.ml.param.IntParam;
import org.apache.spark.ml.param.LongParam;
import org.apache.spark.ml.param.Param;
import org.apache.spark.ml.param.ParamMap;

/**
 * The {@code config} param: a bragg job config (HOCON) whose {@code bragg.*} keys give the
 * estimators' params their values; a param set on the stage wins over the file.
 */
final class ConfigFileParams {
    /** param name -> the bragg config key of the same meaning (as {@code bragg train} reads it). */
    static final Map<String, String> KEYS = Map.ofEntries(
            Map.entry("modelKind", "bragg.model.kind"),
            Map.entry("dim", "bragg.model.dim"),
            Map.entry("heads", "bragg.model.heads"),
            Map.entry("blocks", "bragg.model.blocks"),
            Map.entry("patch", "bragg.model.patch"),
            Map.entry("epochs", "bragg.train.epochs"),
            Map.entry("batchSize", "bragg.train.batch-size"),
            Map.entry("learningRate", "bragg.train.learning-rate"),
            Map.entry("weightDecay", "bragg.train.weight-decay"),
            Map.entry("replicas", "bragg.train.replicas"),
            Map.entry("seed", "bragg.train.seed"),
            Map.entry("device", "bragg.kernels.device"),
            Map.entry("checkpointDir", "bragg.train.checkpoint-dir"));

    private ConfigFileParams() {
    }

    /** A copy of {@code c} with the config file's values for the params not set on it; {@code c} itself when no file. */
    @SuppressWarnings({"unchecked", "rawtypes"})
    static <E extends BraggEstimator<?, E>> E resolved(E c) {
        String path = c.getConfig();
        if (path.isEmpty()) {
            return c;
        }
        File f = new File(path);
        if (!f.isFile()) {
            throw new IllegalArgumentException("config: " + path + " is not a file (a HOCON job config with bragg.* keys)");
        }
        Config conf;
        try {
            conf = ConfigFactory.parseFile(f).resolve();
        } catch (ConfigException e) {
            throw new IllegalArgumentException("config: " + path + ": " + e.getMessage(), e);
        }
        E out = c.copy(ParamMap.empty());
        for (Map.Entry<String, String> e : KEYS.entrySet()) {
            Param p = out.getParam(e.getKey());
            String key = e.getValue();
            if (out.isSet(p) || !conf.hasPath(key)) {
                continue;
            }
            try {
                Object v = p instanceof IntParam ? (Object) conf.getInt(key)
                        : p instanceof DoubleParam ? (Object) conf.getDouble(key)
                        : p instanceof LongParam ? (Object) conf.getLong(key)
                        : conf.getString(key);
                out.set(p, v);
            } catch (ConfigException | IllegalArgumentException ex) {
                throw new IllegalArgumentException("config: " + path + ": key " + key + " (param " + e.getKey() + "): "
                        + ex.getMessage(), ex);
            }
        }
        return out;
    }
}
