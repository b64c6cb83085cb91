package bragg.jobs.bench;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;

class ResidentBudgetTest {

    /** The fields are told apart: the peak is VmHWM, not the virtual peak or the current set. */
    @Test
    void peakAndResidentAreTheirOwnStatusLines() {
        List<String> status = List.of("Name:\tjava", "VmPeak:\t 9000000 kB", "VmSize:\t 8000000 kB",
                "VmHWM:\t  123456 kB", "VmRSS:\t   65432 kB");
        assertEquals(123_456, ResidentBudget.kib(status, "VmHWM:"));
        assertEquals(65_432, ResidentBudget.kib(status, "VmRSS:"));
        IllegalStateException e = assertThrows(IllegalStateException.class,
                () -> ResidentBudget.kib(List.of("Name:\tjava"), "VmHWM:"));
        assertTrue(e.getMessage().contains("VmHWM:"), e.getMessage());
    }

    @Test
    void peakResidentIsReadFromProc() {
        Assumptions.assumeTrue(Files.isReadable(Path.of("/proc/self/status")), "no /proc (not Linux)");
        long rss = ResidentBudget.residentBytes();
        long peak = ResidentBudget.peakBytes();
        assertTrue(rss > 16L << 20, "resident " + rss); // a JVM is far above 16 MiB resident
        assertTrue(peak >= rss, "the peak " + peak + " is below the resident set " + rss + " read before it");
    }
}
