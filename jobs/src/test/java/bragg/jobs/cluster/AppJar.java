package bragg.jobs.cluster;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.Properties;
import java.util.jar.JarFile;
import java.util.zip.ZipEntry;

/**
 * The shaded application jar under test (jobs/target/bragg-app.jar) and the facts the build
 * filtered into it. The JVM flags come from the jar's bragg/build.properties, the same place
 * bin/bragg and a cluster user take them from, so the list lives only in the root pom.
 */
record AppJar(Path path) {

    static AppJar built(Path rootDir) {
        Path jar = rootDir.resolve("jobs/target/bragg-app.jar");
        if (!Files.isRegularFile(jar)) {
            throw new IllegalStateException(jar + " does not exist: the cluster test runs in 'mvn verify', after the shade plugin built it");
        }
        return new AppJar(jar);
    }

    /** {@code jvm.opens}: the --add-opens flags (and two -D flags) Spark needs on Java 17. */
    List<String> jvmOpens() throws IOException {
        try (JarFile jar = new JarFile(path.toFile())) {
            ZipEntry e = jar.getEntry("bragg/build.properties");
            if (e == null) throw new IllegalStateException(path + " has no bragg/build.properties");
            Properties p = new Properties();
            try (InputStream in = jar.getInputStream(e)) {
                p.load(in);
            }
            String opens = p.getProperty("jvm.opens", "").trim();
            if (!opens.contains("--add-opens")) {
                throw new IllegalStateException(path + "!bragg/build.properties: jvm.opens should hold --add-opens flags, found '" + opens + "'");
            }
            return Arrays.asList(opens.split("\\s+"));
        }
    }
}
