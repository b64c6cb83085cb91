package bragg.kernels;

import org.junit.jupiter.api.Test;

import java.nio.file.Files;
import java.nio.file.Path;

import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/** The test JVMs run with libjsig preloaded (root pom, surefire/failsafe environment). */
class SignalChainingTest {

    @Test
    void theTestJvmPreloadsLibjsig() {
        assumeTrue(Files.isReadable(Path.of("/proc/self/maps")), "no /proc/self/maps: not Linux");
        assertTrue(SignalChaining.preloaded(), "libjsig.so is not mapped into this test JVM; LD_PRELOAD is '"
                + System.getenv("LD_PRELOAD") + "' (the root pom's surefire/failsafe environmentVariables set it "
                + "to ${java.home}/lib/libjsig.so)");
    }
}
