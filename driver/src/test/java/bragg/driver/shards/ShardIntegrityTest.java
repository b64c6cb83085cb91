package bragg.driver.shards;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import bragg.driver.generate.StemGenerator;
import bragg.driver.generate.StemSpec;
import bragg.driver.preprocess.PreprocessJob;
import bragg.driver.preprocess.PreprocessOptions;
import bragg.driver.spark.SparkSessions;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.apache.commons.io.FileUtils;
import org.apache.spark.sql.SparkSession;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** A shard folder is read only when its part files are the ones its manifest lists. */
class ShardIntegrityTest {
    static SparkSession spark;
    @TempDir
    static Path dir;
    static Path shards;

    @BeforeAll
    static void start() throws Exception {
        spark = SparkSessions.getOrCreate("shard-integrity-test", Map.of("spark.master", "local[2]",
                "spark.ui.enabled", "false", "spark.sql.shuffle.partitions", "2"));
        Path g = dir.resolve("stem");
        new StemGenerator(new StemSpec(8, 6, 16, 4, 8000, 2, 0.8, 1.5, 5)).write(g, 2);
        shards = dir.resolve("shards");
        PreprocessJob.run(spark, PreprocessOptions.defaults(g.resolve("scan.npy").toString(), shards.toString())
                .withLabels(g.resolve("labels.npy").toString()).withSlabSamples(8).withPartitions(3));
    }

    @AfterAll
    static void stop() {
        spark.stop();
    }

    /** A fresh copy of the good shards to damage. */
    private static Path copy(String name) throws IOException {
        Path c = dir.resolve(name);
        FileUtils.copyDirectory(shards.toFile(), c.toFile());
        // Hadoop's .crc side files would catch an edit first; a user's copy or cloud store has none.
        try (Stream<Path> s = Files.list(c)) {
            for (Path p : s.filter(p -> p.getFileName().toString().endsWith(".crc")).toList()) {
                Files.delete(p);
            }
        }
        return c;
    }

    private static List<Path> parts(Path folder) throws IOException {
        try (Stream<Path> s = Files.list(folder)) {
            return s.filter(p -> p.getFileName().toString().endsWith(".parquet")).sorted().toList();
        }
    }

    @Test
    void theManifestListsEveryPartAndAnIntactFolderReads() throws Exception {
        Manifest m = ShardReader.manifest(spark.sparkContext().hadoopConfiguration(), shards.toString());
        List<?> listed = (List<?>) m.extra().get(ShardParts.KEY);
        assertEquals(parts(shards).size(), listed.size(), "parts in " + m.toJson());
        assertTrue(listed.size() >= 2, "the test needs several part files: " + listed);
        assertEquals(48, ShardReader.read(spark, shards.toString()).rows().count());
    }

    @Test
    void aDeletedPartIsNamedBeforeAnyRowIsRead() throws Exception {
        Path c = copy("deleted");
        Path gone = parts(c).get(0);
        Files.delete(gone);
        IOException e = assertThrows(IOException.class, () -> ShardReader.read(spark, c.toString()));
        assertTrue(e.getMessage().contains(gone.getFileName().toString()) && e.getMessage().contains("missing"),
                e.getMessage());
    }

    @Test
    void aTruncatedPartIsNamedWithItsSize() throws Exception {
        Path c = copy("truncated");
        Path cut = parts(c).get(1);
        byte[] b = Files.readAllBytes(cut);
        Files.write(cut, java.util.Arrays.copyOf(b, b.length / 2));
        IOException e = assertThrows(IOException.class, () -> ShardReader.read(spark, c.toString()));
        assertTrue(e.getMessage().contains(cut.getFileName().toString()) && e.getMessage().contains(b.length / 2 + " bytes")
                && e.getMessage().contains("says " + b.length), e.getMessage());
    }

    @Test
    void anUnlistedPartIsRefused() throws Exception {
        Path c = copy("extra");
        Files.copy(parts(c).get(0), c.resolve("part-99999-stray.snappy.parquet"));
        IOException e = assertThrows(IOException.class, () -> ShardReader.read(spark, c.toString()));
        assertTrue(e.getMessage().contains("part-99999-stray.snappy.parquet") && e.getMessage().contains("not listed"),
                e.getMessage());
    }

    @Test
    void aManifestWithoutPartsIsCheckedByItsCount() throws Exception {
        Path c = copy("old");
        Path mf = c.resolve(Manifest.FILE);
        Manifest m = Manifest.fromJson(Files.readString(mf), mf.toString());
        Map<String, Object> extra = new java.util.LinkedHashMap<>(m.extra());
        extra.remove(ShardParts.KEY);
        Manifest old = new Manifest(m.formatVersion(), m.kind(), m.sampleShape(), m.dtype(), m.count(), m.labelNames(),
                m.countsPerLabel(), m.normalization(), m.sources(), extra);
        Files.writeString(mf, old.toJson());
        assertEquals(48, ShardReader.read(spark, c.toString()).rows().count(), "an intact old folder still reads");
        Path gone = parts(c).get(0);
        long rows = spark.read().parquet(gone.toString()).count();
        Files.delete(gone);
        IOException e = assertThrows(IOException.class, () -> ShardReader.read(spark, c.toString()));
        assertTrue(e.getMessage().contains("hold " + (48 - rows) + " rows") && e.getMessage().contains("count 48"),
                e.getMessage());
    }

    @Test
    void aPartThatIsNotParquetIsNamed() throws Exception {
        Path c = copy("garbage");
        Path bad = parts(c).get(0);
        Files.write(bad, new byte[(int) Files.size(bad)]); // same size, no footer
        IOException e = assertThrows(IOException.class, () -> ShardReader.read(spark, c.toString()));
        assertTrue(e.getMessage().contains(bad.getFileName().toString()) && e.getMessage().contains("not a readable Parquet"),
                e.getMessage());
    }
}
