package bragg.driver.io;

import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.nio.file.Files;
import java.nio.file.Path;

/** The real sample files under ../shared/data/real; tests skip when they are absent. */
public final class RealData {
    private RealData() {
    }

    public static Path file(String rel) {
        String shared = System.getProperty("bragg.shared.dir");
        assumeTrue(shared != null, "system property bragg.shared.dir not set: real-data test skipped");
        Path p = Path.of(shared, "data", "real", rel);
        assumeTrue(Files.exists(p), p + " absent: real-data test skipped");
        return p;
    }
}
