package bragg.jobs.bench;

import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;

import java.nio.file.Files;
import java.nio.file.Path;

class ResidentBudgetTest {

    @Test
    void peakResidentIsReadFromProc() {
        Assumptions.assumeTrue(Files.isReadable(Path.of("/proc/self/status")), "no /proc (not Linux)");
        long before = ResidentBudget.peakBytes();
        byte[] touched = new byte[64 << 20];
        for (int i = 0; i < touched.length; i += 4096) {
            touched[i] = 1;
        }
        long after = ResidentBudget.peakBytes();
        assertTrue(before > 16L << 20, "peak " + before); // a JVM is far above 16 MiB resident
        assertTrue(after >= before && touched[4096] == 1, before + " -> " + after);
    }
}
