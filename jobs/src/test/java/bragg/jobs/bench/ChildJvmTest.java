package bragg.jobs.bench;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.File;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.Test;

/** A child JVM finds the class it runs even when that class is not on java.class.path (spark-submit's app jar). */
class ChildJvmTest {

    @Test
    void classPathHoldsTheJarTheClassCameFromOnce() throws Exception {
        String own = Path.of(ChildJvm.class.getProtectionDomain().getCodeSource().getLocation().toURI()).toString();
        List<String> parts = Arrays.asList(ChildJvm.classPath(ChildJvm.class).split(File.pathSeparator));
        assertEquals(1, parts.stream().filter(own::equals).count(), "own classes once in " + parts);

        String saved = System.getProperty("java.class.path");
        try {
            System.setProperty("java.class.path", "/nonexistent/spark-jars.jar");
            List<String> withoutIt = Arrays.asList(ChildJvm.classPath(ChildJvm.class).split(File.pathSeparator));
            assertEquals(List.of(own, "/nonexistent/spark-jars.jar"), withoutIt);
        } finally {
            System.setProperty("java.class.path", saved);
        }
        assertTrue(new File(own).exists(), own);
    }
}
