package bragg.jobs.config;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigException;
import com.typesafe.config.ConfigFactory;
import com.typesafe.config.ConfigOrigin;
import com.typesafe.config.ConfigParseOptions;
import com.typesafe.config.ConfigRenderOptions;
import com.typesafe.config.ConfigSyntax;
import com.typesafe.config.ConfigValue;
import com.typesafe.config.ConfigValueFactory;
import com.typesafe.config.ConfigValueType;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.regex.Pattern;

/**
 * A job's resolved and validated configuration: the user's HOCON file, then {@code --set key=value}
 * overrides on top, then the defaults of {@link BraggKeys}. Validation happens once, at start-up:
 * unknown {@code bragg.*} keys (with a "did you mean"), wrong types and out-of-range values all stop
 * the job with one message that names each bad key, its value, where it came from and what is allowed.
 * {@code spark.*} keys are passed through to Spark untouched.
 */
public final class BraggConfig {

    /** Values of keys whose name matches this are shown as {@code <redacted>} in saved configs. */
    private static final Pattern SECRET = Pattern.compile("(?i).*(secret|password|token|credential|access\\.key).*");

    private final Config config;

    private BraggConfig(Config config) {
        this.config = config;
    }

    /** The defaults alone (what an empty config file gives). */
    public static BraggConfig defaults() {
        return load(null, List.of());
    }

    /**
     * @param file      a HOCON (.conf) or JSON file, or null for the defaults alone
     * @param overrides {@code key=value} strings, applied on top of the file in order
     * @throws IllegalArgumentException listing every invalid key (one per line), or naming the
     *                                  file when it cannot be read or parsed
     */
    public static BraggConfig load(Path file, List<String> overrides) {
        return load(file, List.of(), overrides);
    }

    /**
     * One key set by a command-line option of its own (e.g. preprocess's {@code --bin 2} for
     * bragg.preprocess.bin); {@code origin} is how the user wrote it, so an error names the option.
     *
     * @param value a String, Number, Boolean or List of them, as the key's type wants
     */
    public record Setting(String key, Object value, String origin) {
    }

    /**
     * @param settings keys set by a job's own options: on top of the file, under the --set overrides
     */
    public static BraggConfig load(Path file, List<Setting> settings, List<String> overrides) {
        Config user = ConfigFactory.empty();
        if (file != null) {
            if (!Files.isRegularFile(file)) {
                throw new IllegalArgumentException("config file " + file + " does not exist or is not a file");
            }
            try {
                user = ConfigFactory.parseFile(file.toFile(),
                        ConfigParseOptions.defaults().setAllowMissing(false).setSyntaxFromFilename(file.toString()));
            } catch (ConfigException e) {
                throw new IllegalArgumentException("config file " + file + " cannot be read as HOCON: " + e.getMessage());
            }
        }
        for (Setting st : settings) {
            user = ConfigFactory.empty().withValue(st.key(), ConfigValueFactory.fromAnyRef(st.value(), st.origin()))
                    .withFallback(user);
        }
        // In command-line order: a later --set of the same key wins.
        for (String o : overrides) {
            user = parseOverride(o).withFallback(user);
        }
        Config resolved;
        try {
            resolved = user.withFallback(defaultsConfig()).resolve();
        } catch (ConfigException e) {
            throw new IllegalArgumentException("config cannot be resolved: " + e.getMessage());
        }
        BraggConfig c = new BraggConfig(resolved);
        c.validate();
        return c.typed();
    }

    /** The same config with every bragg.* value replaced by its typed form ("5" becomes 5), origins kept. */
    private BraggConfig typed() {
        Config c = config;
        for (ConfigKey<?> k : BraggKeys.all()) {
            ConfigValue v = k.valueAsConfigValue(config).withOrigin(config.getValue(k.path()).origin());
            c = c.withValue(k.path(), v);
        }
        return new BraggConfig(c);
    }

    /** {@code bragg.train.epochs=3}; lists and objects ({@code [64,64]}, {@code {...}}) are parsed as HOCON, the rest kept as a string. */
    static Config parseOverride(String kv) {
        int eq = kv.indexOf('=');
        if (eq <= 0) {
            throw new IllegalArgumentException("--set " + kv + ": expected key=value, e.g. --set bragg.train.epochs=3");
        }
        String key = kv.substring(0, eq).trim();
        String raw = kv.substring(eq + 1).trim();
        String origin = "--set " + kv;
        if (!key.matches("[A-Za-z0-9_\\-]+(\\.[A-Za-z0-9_\\-]+)*")) {
            throw new IllegalArgumentException(origin + ": '" + key + "' is not a config key (dot-separated names)");
        }
        ConfigValue value;
        if (raw.startsWith("[") || raw.startsWith("{")) {
            try {
                value = ConfigFactory.parseString("v = " + raw, ConfigParseOptions.defaults()
                        .setOriginDescription(origin).setSyntax(ConfigSyntax.CONF)).getValue("v");
            } catch (ConfigException e) {
                throw new IllegalArgumentException(origin + ": value is not valid HOCON: " + e.getMessage());
            }
        } else {
            // Kept as a string so paths like hdfs://nn:8020/x survive; Typesafe converts it to a
            // number or boolean when the key asks for one, and the key's check reports a bad one.
            value = ConfigValueFactory.fromAnyRef(raw, origin);
        }
        return ConfigFactory.empty().withValue(key, value);
    }

    private static Config defaultsConfig() {
        Config d = ConfigFactory.empty("bragg defaults (reference.conf)");
        for (ConfigKey<?> k : BraggKeys.all()) {
            d = d.withValue(k.path(), k.defaultAsConfigValue().withOrigin(
                    ConfigFactory.empty("default of " + k.path()).origin()));
        }
        return d;
    }

    private void validate() {
        List<String> problems = new ArrayList<>();
        Map<String, ConfigKey<?>> known = BraggKeys.byPath();
        for (String top : config.root().keySet()) {
            if (!top.equals("bragg") && !top.equals("spark")) {
                // Name the leaves: an object made by withValue has no origin of its own.
                ConfigValue v = config.root().get(top);
                Map<String, ConfigValue> leaves = new TreeMap<>();
                if (v.valueType() == ConfigValueType.OBJECT) {
                    config.getConfig(top).entrySet().forEach(e -> leaves.put(top + "." + e.getKey(), e.getValue()));
                }
                if (leaves.isEmpty()) {
                    leaves.put(top, v);
                }
                leaves.forEach((path, leaf) -> problems.add("unknown config key " + path + " (" + origin(leaf)
                        + "): bragg keys live under bragg.*, Spark's under spark.*" + hint(path, known)));
            }
        }
        if (config.hasPath("bragg")) {
            if (config.getValue("bragg").valueType() != ConfigValueType.OBJECT) {
                problems.add("config key bragg must be an object of bragg.* keys");
            } else {
                for (Map.Entry<String, ConfigValue> e : config.getConfig("bragg").entrySet()) {
                    String path = "bragg." + e.getKey();
                    if (!known.containsKey(path)) {
                        problems.add("unknown config key " + path + " (" + origin(e.getValue()) + ")" + hint(path, known));
                    }
                }
            }
        }
        if (config.hasPath("spark")) {
            ConfigValue spark = config.getValue("spark");
            if (spark.valueType() != ConfigValueType.OBJECT) {
                problems.add("config key spark must be an object of spark.* keys, found " + spark.valueType());
            } else {
                for (Map.Entry<String, ConfigValue> e : config.getConfig("spark").entrySet()) {
                    ConfigValueType t = e.getValue().valueType();
                    if (t == ConfigValueType.LIST || t == ConfigValueType.NULL) {
                        problems.add("config key spark." + e.getKey() + " (" + origin(e.getValue())
                                + ") must be a string, number or boolean, as Spark takes it; found " + t);
                    }
                }
            }
        }
        if (problems.isEmpty()) {
            for (ConfigKey<?> k : BraggKeys.all()) {
                try {
                    k.read(config);
                } catch (IllegalArgumentException e) {
                    problems.add(e.getMessage());
                }
            }
        }
        if (problems.isEmpty()) {
            checkCombinations(problems);
        }
        if (!problems.isEmpty()) {
            throw new IllegalArgumentException(problems.size() == 1 ? problems.get(0)
                    : "invalid config:\n  " + String.join("\n  ", problems));
        }
    }

    /** Rules that span keys. */
    private void checkCombinations(List<String> problems) {
        int dim = get(BraggKeys.MODEL_DIM);
        int heads = get(BraggKeys.MODEL_HEADS);
        if (dim % heads != 0) {
            problems.add("config key bragg.model.dim = " + dim + " is not a multiple of bragg.model.heads = " + heads
                    + ": allowed dims are multiples of the head count (e.g. " + (dim / heads + 1) * heads + ")");
        }
        int size = get(BraggKeys.GEN_SIZE);
        int tile = get(BraggKeys.GEN_TILE);
        if (get(BraggKeys.GEN_KIND).equals("lpbf") && size % tile != 0) {
            problems.add("config key bragg.generate.tile = " + tile + " does not divide bragg.generate.size = " + size
                    + ": allowed tiles are divisors of the layer side (e.g. " + largestDivisorAtMost(size, tile) + ")");
        }
        if (get(BraggKeys.MODEL_POSITIONS).equals("sinusoidal") && dim % 4 != 0) {
            problems.add("config key bragg.model.dim = " + dim + " must be a multiple of 4 with "
                    + "bragg.model.positions = sinusoidal (2-D sine/cosine pairs)");
        }
    }

    private static int largestDivisorAtMost(int n, int max) {
        for (int d = Math.min(n, max); d > 1; d--) {
            if (n % d == 0) {
                return d;
            }
        }
        return 1;
    }

    private static String hint(String path, Map<String, ConfigKey<?>> known) {
        String best = null;
        int bestD = Integer.MAX_VALUE;
        for (String k : known.keySet()) {
            int d = Levenshtein.distance(path, k);
            if (d < bestD) {
                bestD = d;
                best = k;
            }
        }
        // Also match on the last segment, for a key put in the wrong section.
        String leaf = path.substring(path.lastIndexOf('.') + 1);
        for (String k : known.keySet()) {
            if (k.endsWith("." + leaf) && bestD > 2) {
                best = k;
                bestD = 0;
            }
        }
        return best != null && bestD <= Math.max(3, path.length() / 3)
                ? "; did you mean " + best + "?" : "; see bragg config reference for the keys";
    }

    static String origin(ConfigValue v) {
        ConfigOrigin o = v.origin();
        if (o == null) {
            return "unknown origin";
        }
        String d = o.description();
        return d == null ? "unknown origin" : d;
    }

    // ---- access -------------------------------------------------------------------------------

    /** The validated value of a key. */
    public <T> T get(ConfigKey<T> key) {
        return key.read(config);
    }

    /** The {@code spark.*} keys, flattened to strings, for {@code SparkSessions.getOrCreate}. */
    public Map<String, String> sparkConf() {
        Map<String, String> m = new TreeMap<>();
        if (config.hasPath("spark")) {
            for (Map.Entry<String, ConfigValue> e : config.getConfig("spark").entrySet()) {
                m.put("spark." + e.getKey(), String.valueOf(e.getValue().unwrapped()));
            }
        }
        return Collections.unmodifiableMap(m);
    }

    /** A copy with one more override on top (e.g. a job's own choice of output folder). */
    public BraggConfig with(String key, Object value) {
        Config c = config.withValue(key, ConfigValueFactory.fromAnyRef(value, "set by the job"));
        BraggConfig out = new BraggConfig(c);
        out.validate();
        return out.typed();
    }

    /** The underlying Typesafe config (bragg.* and spark.* only). */
    public Config raw() {
        return config;
    }

    // ---- rendering --------------------------------------------------------------------------

    /** The resolved config as HOCON, secrets redacted: saved as config.conf beside every model. */
    public String renderHocon() {
        return redacted().root().render(ConfigRenderOptions.defaults().setOriginComments(false)
                .setComments(false).setJson(false).setFormatted(true));
    }

    /** The resolved config as one JSON object, secrets redacted (for provenance records). */
    public String renderJson() {
        return redacted().root().render(ConfigRenderOptions.concise());
    }

    private Config redacted() {
        Config c = config;
        for (Map.Entry<String, ConfigValue> e : config.entrySet()) {
            // Only Spark's keys can hold secrets (spark.authenticate.secret, s3a keys); bragg's are all known.
            if (e.getKey().startsWith("spark.") && SECRET.matcher(e.getKey()).matches()) {
                c = c.withValue(e.getKey(), ConfigValueFactory.fromAnyRef("<redacted>"));
            }
        }
        return c;
    }

    /** Writes {@link #renderHocon()} to {@code file} (temporary name, then rename). */
    public void save(Path file) throws IOException {
        bragg.jobs.report.AtomicFile.write(file,
                "# bragg config as resolved for this run (defaults filled in; secrets redacted)\n" + renderHocon());
    }
}
