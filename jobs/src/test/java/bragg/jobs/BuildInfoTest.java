package bragg.jobs;

import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

import java.lang.management.ManagementFactory;
import java.util.List;

/**
 * The JVM flags live in one place (root pom, bragg.jvm.opens): the jar's copy (read by bin/bragg
 * and by the benchmark's child JVMs) must be the very flags this test JVM got from Surefire.
 */
class BuildInfoTest {

    @Test
    void theJarCarriesTheFlagsTheTestsRunWith() {
        List<String> flags = BuildInfo.jvmFlags();
        assertTrue(flags.contains("--add-opens=java.base/sun.nio.ch=ALL-UNNAMED"), flags.toString());
        assertTrue(flags.contains("--add-modules=jdk.incubator.vector"), flags.toString());
        List<String> running = ManagementFactory.getRuntimeMXBean().getInputArguments();
        for (String f : flags) {
            assertTrue(running.contains(f), "flag " + f + " of build.properties is not in the test JVM's "
                    + running);
        }
    }
}
