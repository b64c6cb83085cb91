package bragg.jobs.config;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/** Every example config in conf/ loads and validates: users copy these. */
class ExampleConfigsTest {

    @Test
    void everyConfInConfValidates() throws IOException {
        Path conf = Path.of(System.getProperty("bragg.root.dir", "..")).resolve("conf");
        List<Path> files;
        try (Stream<Path> s = Files.list(conf)) {
            files = s.filter(p -> p.toString().endsWith(".conf")).sorted().toList();
        }
        assertFalse(files.isEmpty(), "no .conf files in " + conf);
        for (Path f : files) {
            BraggConfig c = BraggConfig.load(f, List.of());
            assertTrue(c.get(BraggKeys.OUTPUT_DIR).startsWith("runs/"), f + " writes under runs/");
        }
    }
}
