package bragg.jobs;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
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

    /** The --add-opens flags Spark needs on Java 17 (the root pom's bragg.jvm.opens), for child JVMs. */
    public static java.util.List<String> jvmOpens() {
        String v = PROPS.getProperty("jvm.opens", "").trim();
        return v.isEmpty() || v.startsWith("${") ? java.util.List.of() : java.util.List.of(v.split("\\s+"));
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
