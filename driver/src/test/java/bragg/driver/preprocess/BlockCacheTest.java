package bragg.driver.preprocess;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import bragg.driver.generate.StemGenerator;
import bragg.driver.generate.StemSpec;
import bragg.driver.spark.SparkSessions;
import java.io.IOException;
import java.io.RandomAccessFile;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import org.apache.spark.api.java.JavaSparkContext;
import org.apache.spark.sql.SparkSession;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The statistics pass's kept blocks ({@link BlockCache}) on a local[2] Spark: what the write
 * pass reads back is what was kept; a missing file means "transform again", with the same
 * blocks; a damaged file is an error naming it. (In local mode the driver is the executor, so
 * these run the executor-side calls directly.)
 */
class BlockCacheTest {
    static SparkSession spark;
    @TempDir
    static Path dir;

    @BeforeAll
    static void start() {
        spark = SparkSessions.getOrCreate("block-cache-test", Map.of("spark.master", "local[2]", "spark.ui.enabled", "false"));
    }

    @AfterAll
    static void stop() {
        spark.stop();
    }

    /** A 4x5 scan of 32x32 patterns, bin 2, three slabs per partition's worth: the plan and the statistics pass's results. */
    private static PreprocessPlan plan(String name) throws IOException {
        Path g = dir.resolve(name);
        new StemGenerator(new StemSpec(4, 5, 32, 3, 8000, 2, 0.8, 1.5, 5)).write(g, 2);
        PreprocessOptions opt = PreprocessOptions.defaults(g.resolve("scan.npy").toString(), dir.resolve(name + "-shards").toString())
                .withBin(2).withScale("log").withSlabSamples(3).withChecksums(false).withPartitions(2);
        return PreprocessPlan.of(opt, 2);
    }

    private static List<SampleBlock> all(Iterator<SampleBlock> it) {
        List<SampleBlock> out = new ArrayList<>();
        while (it.hasNext()) out.add(it.next());
        return out;
    }

    private static void assertSameBlocks(List<SampleBlock> want, List<SampleBlock> got) {
        assertEquals(want.size(), got.size());
        for (int i = 0; i < want.size(); i++) {
            assertArrayEquals(want.get(i).id, got.get(i).id);
            assertArrayEquals(want.get(i).pos, got.get(i).pos);
            assertArrayEquals(want.get(i).label, got.get(i).label);
            assertArrayEquals(want.get(i).finite, got.get(i).finite);
            assertArrayEquals(want.get(i).pattern, got.get(i).pattern, "block " + i);
        }
    }

    @Test
    void theWritePassReadsWhatTheStatisticsPassKeptAndDeletesIt() throws IOException {
        PreprocessPlan plan = plan("kept");
        assertTrue(plan.layout().cacheTransformed());
        List<PreprocessJob.PassOne> first = PreprocessJob.statisticsPass(JavaSparkContext.fromSparkContext(spark.sparkContext()), plan);
        assertEquals(2, first.size());
        long samples = 0;
        for (PreprocessJob.PassOne p : first) {
            assertNotNull(p.cache, "partition " + p.partition + " kept its blocks");
            assertTrue(Files.size(Path.of(p.cache.path)) == p.cache.bytes);
            List<SampleBlock> fresh = all(new SlabIterator(plan, plan.slabsOf(p.partition)));
            List<SampleBlock> kept = all(PreprocessJob.blocksFor(plan, p, null));
            assertSameBlocks(fresh, kept);
            assertEquals(p.cache.blocks, kept.size());
            for (SampleBlock b : kept) samples += b.n;
            BlockCache.delete(p.cache);
            assertFalse(Files.exists(Path.of(p.cache.path)));
        }
        assertEquals(20, samples);
        assertEquals(20, first.get(0).stats.samples + first.get(1).stats.samples);
    }

    @Test
    void aPartitionWhoseFileIsGoneOrOnAnotherHostIsTransformedAgain() throws IOException {
        PreprocessPlan plan = plan("gone");
        List<PreprocessJob.PassOne> first = PreprocessJob.statisticsPass(JavaSparkContext.fromSparkContext(spark.sparkContext()), plan);
        PreprocessJob.PassOne p = first.get(1);
        List<SampleBlock> kept = all(PreprocessJob.blocksFor(plan, p, null));

        BlockCache.Ref elsewhere = new BlockCache.Ref("no-such-host.invalid", "7", p.cache.path, p.cache.bytes, p.cache.blocks);
        assertNull(BlockCache.read(elsewhere));
        assertSameBlocks(kept, all(PreprocessJob.blocksFor(plan, new PreprocessJob.PassOne(1, p.stats, elsewhere), null)));

        BlockCache.delete(p.cache);
        assertNull(BlockCache.read(p.cache));
        assertSameBlocks(kept, all(PreprocessJob.blocksFor(plan, p, null)));
        BlockCache.delete(first.get(0).cache);
    }

    @Test
    void aDamagedFileIsAnErrorNamingItAndTheOffset() throws IOException {
        PreprocessPlan plan = plan("damaged");
        List<PreprocessJob.PassOne> first = PreprocessJob.statisticsPass(JavaSparkContext.fromSparkContext(spark.sparkContext()), plan);
        BlockCache.Ref r = first.get(0).cache;
        try (RandomAccessFile f = new RandomAccessFile(r.path, "rw")) {
            f.setLength(r.bytes - 10);
        }
        IOException shorter = assertThrows(IOException.class, () -> BlockCache.read(r));
        assertTrue(shorter.getMessage().contains(r.path) && shorter.getMessage().contains((r.bytes - 10) + " bytes, expected " + r.bytes),
                shorter.getMessage());

        // the declared length no longer matches what follows it: the read names the block and the byte offset
        BlockCache.Ref lying = new BlockCache.Ref(r.host, r.executorId, r.path, r.bytes - 10, r.blocks);
        Iterator<SampleBlock> it = BlockCache.read(lying);
        UncheckedIOException e = assertThrows(UncheckedIOException.class, () -> all(it));
        assertTrue(e.getMessage().contains(r.path) && e.getMessage().contains("byte offset"), e.getMessage());
        for (PreprocessJob.PassOne p : first) BlockCache.delete(p.cache);
    }
}
