package bragg.jobs.evaluate;

import bragg.jobs.report.AtomicFile;
import bragg.jobs.report.Json;
import com.typesafe.config.Config;
import com.typesafe.config.ConfigException;
import com.typesafe.config.ConfigFactory;
import com.typesafe.config.ConfigParseOptions;
import com.typesafe.config.ConfigSyntax;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * evaluation.json of a run: held-out classification and/or regression scores plus where they
 * came from. Written by evaluate, read back by the report.
 */
public final class EvaluationFile {
    private EvaluationFile() {
    }

    /** The scores of one evaluation; either part may be null. */
    public record Scores(ClassificationScores classification, RegressionScores regression, String heldOut) {
    }

    public static void write(Path file, Scores s) throws IOException {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("held_out", s.heldOut());
        if (s.classification() != null) {
            m.put("classification", s.classification().toMap());
        }
        if (s.regression() != null) {
            m.put("regression", s.regression().toMap());
        }
        AtomicFile.write(file, Json.write(m) + "\n");
    }

    /** Reads a file written by {@link #write}; errors name the file and the key. */
    public static Scores read(Path file) throws IOException {
        Config c;
        try {
            c = ConfigFactory.parseFile(file.toFile(), ConfigParseOptions.defaults().setSyntax(ConfigSyntax.JSON)
                    .setAllowMissing(false));
        } catch (ConfigException e) {
            throw new IOException(file + ": not an evaluation.json: " + e.getMessage(), e);
        }
        try {
            ClassificationScores cls = null;
            if (c.hasPath("classification")) {
                Config k = c.getConfig("classification");
                List<String> names = k.getStringList("label_names");
                List<ClassificationScores.PerClass> rows = new ArrayList<>();
                for (Config r : k.getConfigList("per_class")) {
                    rows.add(new ClassificationScores.PerClass(r.getString("class"), num(r, "precision"), num(r, "recall"),
                            num(r, "f1"), r.getLong("support")));
                }
                List<? extends List<Integer>> cm = k.getList("confusion").stream()
                        .map(v -> ((List<?>) v.unwrapped()).stream().map(x -> ((Number) x).intValue()).toList()).toList();
                int[][] confusion = new int[cm.size()][];
                for (int i = 0; i < confusion.length; i++) {
                    confusion[i] = cm.get(i).stream().mapToInt(Integer::intValue).toArray();
                }
                cls = new ClassificationScores(names, k.getLong("count"), k.getDouble("accuracy"), rows, confusion);
            }
            RegressionScores reg = null;
            if (c.hasPath("regression")) {
                Config k = c.getConfig("regression");
                List<RegressionScores.Column> cols = new ArrayList<>();
                for (Config r : k.getConfigList("targets")) {
                    cols.add(new RegressionScores.Column(r.getString("target"), num(r, "mse"), num(r, "mae"),
                            num(r, "rmse"), num(r, "r2")));
                }
                reg = new RegressionScores(k.getLong("count"), cols);
            }
            return new Scores(cls, reg, c.hasPath("held_out") ? c.getString("held_out") : "");
        } catch (ConfigException e) {
            throw new IOException(file + ": " + e.getMessage(), e);
        }
    }

    /** JSON null (an undefined score) reads back as NaN. */
    private static double num(Config r, String key) {
        return r.getIsNull(key) ? Double.NaN : r.getDouble(key);
    }
}
