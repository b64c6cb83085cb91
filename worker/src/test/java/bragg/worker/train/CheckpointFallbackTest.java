package bragg.worker.train;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.zip.ZipEntry;
import java.util.zip.ZipInputStream;
import java.util.zip.ZipOutputStream;
import org.deeplearning4j.nn.graph.ComputationGraph;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Resume takes the newest intact checkpoint, says which newer ones it skipped and why, and stops when none is intact. */
class CheckpointFallbackTest {
    @TempDir
    Path tmp;

    private static TrainState state(long step) {
        return new TrainState(step, 0, (int) step, 7, 2, "test", Map.of("k", "v"),
                List.of(new StepMetrics(step - 1, 0, 0.5, 1e-3, 10, 1, 1)));
    }

    /** Checkpoints at steps 5 and 10 (kept: 3). */
    private CheckpointStore two(String name) throws IOException {
        TrainConfig cfg = TrainConfig.defaults(tmp.resolve(name).toString());
        ComputationGraph g = TinyModels.graph(cfg, 20);
        CheckpointStore store = new CheckpointStore(tmp.resolve(name).toString(), new org.apache.hadoop.conf.Configuration(), 3);
        store.write(g, state(5));
        store.write(g, state(10));
        return store;
    }

    /**
     * The checkpoint file of a step, without the .crc side file Hadoop's local file system keeps
     * (an object store has none, and the test is about bragg's own checksums).
     */
    private Path file(String name, long step) throws IOException {
        Path f = tmp.resolve(name).resolve(String.format("ckpt-%010d.zip", step));
        Files.deleteIfExists(f.resolveSibling("." + f.getFileName() + ".crc"));
        return f;
    }

    @Test
    void aTruncatedNewestCheckpointFallsBackToTheOlderOne() throws Exception {
        CheckpointStore store = two("t");
        byte[] b = Files.readAllBytes(file("t", 10));
        Files.write(file("t", 10), Arrays.copyOf(b, b.length / 2));
        CheckpointStore.Loaded l = store.latest().orElseThrow();
        assertEquals(5, l.state().step());
        assertEquals(1, l.skipped().size(), l.skipped().toString());
        assertTrue(l.skipped().get(0).contains("ckpt-0000000010.zip"), l.skipped().toString());
    }

    /** Rewrites one entry of a checkpoint zip, keeping a valid zip (so only the checksums can tell). */
    private static void replaceEntry(Path ckpt, String entry, byte[] content) throws IOException {
        ByteArrayOutputStream bo = new ByteArrayOutputStream();
        try (ZipInputStream in = new ZipInputStream(new ByteArrayInputStream(Files.readAllBytes(ckpt)));
             ZipOutputStream out = new ZipOutputStream(bo)) {
            for (ZipEntry e; (e = in.getNextEntry()) != null; ) {
                byte[] data = in.readAllBytes();
                out.putNextEntry(new ZipEntry(e.getName()));
                out.write(e.getName().equals(entry) ? content : data);
                out.closeEntry();
            }
        }
        Files.write(ckpt, bo.toByteArray());
    }

    @Test
    void contentThatDoesNotMatchItsChecksumIsSkippedWithTheReason() throws Exception {
        CheckpointStore store = two("m");
        replaceEntry(file("m", 10), "metrics.csv", (StepMetrics.CSV_HEADER + "\n").getBytes());
        CheckpointStore.Loaded l = store.latest().orElseThrow();
        assertEquals(5, l.state().step());
        assertTrue(l.skipped().get(0).contains("ckpt-0000000010.zip") && l.skipped().get(0).contains("metrics.csv sha256"),
                l.skipped().toString());
    }

    @Test
    void whenEveryCheckpointIsDamagedOneLineListsEach() throws Exception {
        CheckpointStore store = two("all");
        Files.write(file("all", 10), new byte[] {'P', 'K', 3, 4});
        replaceEntry(file("all", 5), "model.zip", new byte[] {1, 2, 3});
        IOException e = assertThrows(IOException.class, store::latest);
        assertEquals(1, e.getMessage().lines().count(), e.getMessage());
        assertTrue(e.getMessage().contains("all 2 checkpoints") && e.getMessage().contains("ckpt-0000000010.zip")
                && e.getMessage().contains("ckpt-0000000005.zip") && e.getMessage().contains("model.zip sha256"),
                e.getMessage());
    }
}
