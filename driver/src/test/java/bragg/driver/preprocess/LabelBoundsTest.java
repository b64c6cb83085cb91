package bragg.driver.preprocess;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;
import static org.junit.jupiter.api.Assertions.assertTrue;

import bragg.driver.io.DType;
import bragg.driver.io.NpyWriter;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** A class id is bounded by the label names, or without names by a documented limit, before anything is sized by it. */
class LabelBoundsTest {
    @TempDir
    Path dir;

    private Path labels(float... v) throws Exception {
        Path p = dir.resolve("labels.npy");
        NpyWriter.write(p, DType.F32, new long[] {v.length}, v);
        return p;
    }

    @Test
    void aHugeClassIdWithoutNamesIsRefusedAtOnce() throws Exception {
        Path p = labels(0, 1, 2_000_000_000f, 1);
        IllegalArgumentException e = assertTimeoutPreemptively(Duration.ofSeconds(5), () -> assertThrows(
                IllegalArgumentException.class, () -> LabelTable.load(p.toString(), new long[] {4}, "scan.npy", null)));
        assertTrue(e.getMessage().contains("labels.npy") && e.getMessage().contains("row 2")
                && e.getMessage().contains("2000000000") && e.getMessage().contains("below " + LabelTable.MAX_UNNAMED_CLASSES),
                e.getMessage());
    }

    @Test
    void theLimitItselfIsRefusedAndOneBelowIsAccepted() throws Exception {
        Path at = labels(0, LabelTable.MAX_UNNAMED_CLASSES);
        assertThrows(IllegalArgumentException.class, () -> LabelTable.load(at.toString(), new long[] {2}, "in", null));
        Path below = labels(0, LabelTable.MAX_UNNAMED_CLASSES - 1);
        assertEquals(LabelTable.MAX_UNNAMED_CLASSES, LabelTable.load(below.toString(), new long[] {2}, "in", null).names().size());
    }

    @Test
    void withNamesTheNamesAreTheBound() throws Exception {
        Path p = labels(0, 1, 5);
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> LabelTable.load(p.toString(), new long[] {3}, "in", List.of("fcc", "hcp")));
        assertTrue(e.getMessage().contains("row 2") && e.getMessage().contains("label 5")
                && e.getMessage().contains("2 label names are given [fcc, hcp]"), e.getMessage());
    }
}
