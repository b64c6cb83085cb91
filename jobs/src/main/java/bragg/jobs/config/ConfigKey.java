package bragg.jobs.config;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigException;
import com.typesafe.config.ConfigValue;
import com.typesafe.config.ConfigValueFactory;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.function.Predicate;

/**
 * One documented, typed, validated config key with its default, in the style of Spark's
 * {@code ConfigBuilder}: {@code ConfigKey.intKey("bragg.train.epochs").doc("...").check(v -> v >= 1, ">= 1").withDefault(10)}.
 * Every error it raises names the key, the value found (and where it came from) and what is allowed.
 *
 * @param <T> the Java type of the value
 */
public final class ConfigKey<T> {

    /** How a key's value is read from Typesafe Config and written back into HOCON. */
    public enum Type {
        BOOLEAN("boolean"), INT("integer"), LONG("integer"), DOUBLE("number"), STRING("string"),
        INT_LIST("list of integers"), DURATION("duration such as 30s, 5m");

        final String description;

        Type(String description) {
            this.description = description;
        }
    }

    private final String path;
    private final String doc;
    private final Type type;
    private final T defaultValue;
    private final Predicate<T> check;
    private final String allowed;

    private ConfigKey(String path, String doc, Type type, T defaultValue, Predicate<T> check, String allowed) {
        this.path = path;
        this.doc = doc;
        this.type = type;
        this.defaultValue = defaultValue;
        this.check = check;
        this.allowed = allowed;
    }

    public String path() {
        return path;
    }

    public String doc() {
        return doc;
    }

    public Type type() {
        return type;
    }

    public T defaultValue() {
        return defaultValue;
    }

    /** What the key accepts, in words: the type plus the validator's description. */
    public String allowed() {
        return allowed.isEmpty() ? type.description : type.description + ", " + allowed;
    }

    /** The default as a HOCON value (for reference.conf and for filling in resolved configs). */
    public ConfigValue defaultAsConfigValue() {
        return toConfigValue(defaultValue);
    }

    /** The validated value in {@code c} as a HOCON value of its own type. */
    ConfigValue valueAsConfigValue(Config c) {
        return toConfigValue(read(c));
    }

    private ConfigValue toConfigValue(T value) {
        Object v = value;
        if (type == Type.DURATION) {
            java.time.Duration d = (java.time.Duration) value;
            v = d.toMillis() % 1000 == 0 ? d.toSeconds() + "s" : d.toMillis() + "ms";
        }
        return ConfigValueFactory.fromAnyRef(v);
    }

    /**
     * Reads and validates this key; the config must already hold a value for it (the defaults
     * are merged in by {@link BraggConfig}).
     *
     * @throws IllegalArgumentException naming the key, the value, its origin and what is allowed
     */
    @SuppressWarnings("unchecked")
    T read(Config c) {
        Object v;
        try {
            v = switch (type) {
                case BOOLEAN -> c.getBoolean(path);
                case INT -> c.getInt(path);
                case LONG -> c.getLong(path);
                case DOUBLE -> c.getDouble(path);
                case STRING -> c.getString(path);
                case INT_LIST -> List.copyOf(c.getIntList(path));
                case DURATION -> c.getDuration(path);
            };
        } catch (ConfigException.Missing e) {
            throw new IllegalArgumentException("config key " + path + " is missing (allowed: " + allowed() + ")");
        } catch (ConfigException e) {
            throw bad(c, "expected " + allowed());
        }
        if (type == Type.DOUBLE && !Double.isFinite((Double) v)) {
            throw bad(c, "expected a finite " + allowed());
        }
        T value = (T) v;
        if (!check.test(value)) {
            throw bad(c, "allowed: " + allowed());
        }
        return value;
    }

    private IllegalArgumentException bad(Config c, String what) {
        ConfigValue raw = c.getValue(path);
        return new IllegalArgumentException("config key " + path + " = " + raw.render(
                com.typesafe.config.ConfigRenderOptions.concise()) + " (" + BraggConfig.origin(raw)
                + ") is not valid: " + what);
    }

    @Override
    public String toString() {
        return path;
    }

    // ---- builders -------------------------------------------------------------------------

    public static Builder<Boolean> booleanKey(String path) {
        return new Builder<>(path, Type.BOOLEAN);
    }

    public static Builder<Integer> intKey(String path) {
        return new Builder<>(path, Type.INT);
    }

    public static Builder<Long> longKey(String path) {
        return new Builder<>(path, Type.LONG);
    }

    public static Builder<Double> doubleKey(String path) {
        return new Builder<>(path, Type.DOUBLE);
    }

    public static Builder<String> stringKey(String path) {
        return new Builder<>(path, Type.STRING);
    }

    public static Builder<List<Integer>> intListKey(String path) {
        return new Builder<>(path, Type.INT_LIST);
    }

    public static Builder<java.time.Duration> durationKey(String path) {
        return new Builder<>(path, Type.DURATION);
    }

    /** Collects doc, validators and the default; {@link #withDefault} creates the key. */
    public static final class Builder<T> {
        private final String path;
        private final Type type;
        private String doc = "";
        private final List<Predicate<T>> checks = new ArrayList<>();
        private final List<String> allowed = new ArrayList<>();

        private Builder(String path, Type type) {
            this.path = Objects.requireNonNull(path);
            this.type = type;
        }

        public Builder<T> doc(String text) {
            this.doc = text;
            return this;
        }

        /** Adds a validator; {@code allowedInWords} is shown in errors and in reference.conf. */
        public Builder<T> check(Predicate<T> validator, String allowedInWords) {
            checks.add(validator);
            allowed.add(allowedInWords);
            return this;
        }

        /** Restricts a string key to a fixed set of values. */
        @SuppressWarnings("unchecked")
        public Builder<T> oneOf(String... values) {
            List<String> vs = List.of(values);
            return check(v -> vs.contains((String) v), "one of " + String.join(", ", vs));
        }

        public ConfigKey<T> withDefault(T value) {
            Predicate<T> all = v -> checks.stream().allMatch(p -> p.test(v));
            if (doc.isEmpty()) {
                throw new IllegalStateException("config key " + path + " has no doc");
            }
            if (!all.test(value)) {
                throw new IllegalStateException("default of config key " + path + " fails its own check: " + value);
            }
            return new ConfigKey<>(path, doc, type, value, all, String.join(", ", allowed));
        }
    }
}
