package bragg.jobs.cluster;

import java.io.File;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A throw-away SPARK_HOME: {@code jars/} holds links to the Spark jars Maven resolved for the
 * build (jobs/target/spark-classpath.txt, the provided scope) and {@code conf/} the project's
 * log4j2.properties. A Worker launches executors with {@code $SPARK_HOME/conf:$SPARK_HOME/jars/*},
 * so this is what a Spark distribution gives them. Only Spark goes there, not the rest of the
 * test classpath: bragg, DL4J and Aparapi must reach executors from the shaded app jar, as on
 * a real cluster, or a broken shade would pass the test.
 */
final class SparkHome {
    private static final Pattern SPARK_CORE = Pattern.compile("spark-core_(\\d+\\.\\d+)-.*\\.jar");

    private final Path dir;
    private final String scalaVersion;

    private SparkHome(Path dir, String scalaVersion) {
        this.dir = dir;
        this.scalaVersion = scalaVersion;
    }

    /**
     * @param classpathFile ':'-separated jar list written by the dependency plugin at package
     * @param log4j2        log4j2.properties for every Spark process
     */
    static SparkHome create(Path dir, Path classpathFile, Path log4j2) throws IOException {
        if (!Files.isRegularFile(classpathFile)) {
            throw new IllegalStateException(classpathFile + " does not exist: it is written at 'package' (maven-dependency-plugin build-classpath)");
        }
        Path jars = Files.createDirectories(dir.resolve("jars"));
        Path conf = Files.createDirectories(dir.resolve("conf"));
        Files.createSymbolicLink(conf.resolve("log4j2.properties"), log4j2.toAbsolutePath());
        String scala = null;
        Set<String> names = new HashSet<>();
        for (String entry : Files.readString(classpathFile).trim().split(Pattern.quote(File.pathSeparator))) {
            Path jar = Path.of(entry);
            String name = jar.getFileName().toString();
            // Two jars of one name would silently shadow each other under jars/.
            if (!names.add(name)) throw new IllegalStateException(classpathFile + ": two entries named " + name);
            Files.createSymbolicLink(jars.resolve(name), jar);
            Matcher m = SPARK_CORE.matcher(name);
            if (m.matches()) scala = m.group(1);
        }
        if (scala == null) throw new IllegalStateException(classpathFile + ": no spark-core_<scala>-<version>.jar among " + names.size() + " entries");
        return new SparkHome(dir, scala);
    }

    Path dir() {
        return dir;
    }

    /** The classpath spark-class gives a Spark JVM: the conf folder, then every jar. */
    List<String> classpath() {
        return List.of(dir.resolve("conf") + File.separator, dir.resolve("jars") + File.separator + "*");
    }

    /**
     * What bin/load-spark-env.sh would export. Spark's launcher library (used by the Worker to
     * build executor commands) refuses to guess the Scala version without a source tree.
     */
    Map<String, String> env() {
        Map<String, String> env = new LinkedHashMap<>();
        env.put("SPARK_HOME", dir.toString());
        env.put("SPARK_CONF_DIR", dir.resolve("conf").toString());
        env.put("SPARK_SCALA_VERSION", scalaVersion);
        env.put("SPARK_LOCAL_IP", "127.0.0.1");
        env.put("JAVA_HOME", System.getProperty("java.home"));
        return env;
    }
}
