package bragg.jobs.cluster;

import java.nio.file.Files;
import java.nio.file.Path;

/** The shaded application jar under test, jobs/target/bragg-app.jar. */
record AppJar(Path path) {

    static AppJar built(Path rootDir) {
        Path jar = rootDir.resolve("jobs/target/bragg-app.jar");
        if (!Files.isRegularFile(jar)) {
            throw new IllegalStateException(jar + " does not exist: the cluster test runs in 'mvn verify', after the shade plugin built it");
        }
        return new AppJar(jar);
    }
}
