package bragg.jobs;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.util.List;
import java.util.Properties;
import picocli.CommandLine;

/** Code version and build facts, filtered into the jar at build time (provenance of every model). */
public final class BuildInfo {
    private static final Properties PROPS = load();

    private BuildInfo() {
    }

    public static String version() {
        return PROPS.getProperty("version", "unknown");
    }

    /**
     * The JVM flags bragg needs (root pom property bragg.jvm.opens, filtered into the jar): for
     * child JVMs a job starts itself. Throws when the jar was built without them.
     */
    public static List<String> jvmFlags() {
        String flags = PROPS.getProperty("jvm.opens", "").trim();
        if (flags.isEmpty() || flags.contains("${")) {
            throw new IllegalStateException("/bragg/build.properties has no filtered jvm.opens (found '" + flags
                    + "'); rebuild the jar with Maven");
        }
        return List.of(flags.split("\\s+"));
    }

    private static Properties load() {
        Properties p = new Properties();
        try (InputStream in = BuildInfo.class.getResourceAsStream("/bragg/build.properties")) {
            if (in != null) {
                p.load(in);
            }
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read /bragg/build.properties from the jar", e);
        }
        return p;
    }

    /** picocli's --version. */
    public static final class VersionProvider implements CommandLine.IVersionProvider {
        @Override
        public String[] getVersion() {
            return new String[] {"bragg " + version()};
        }
    }
}
