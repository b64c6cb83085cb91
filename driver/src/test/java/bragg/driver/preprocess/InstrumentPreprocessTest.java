package bragg.driver.preprocess;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import bragg.driver.io.Fixtures;
import bragg.driver.io.InstrumentFixtures;
import bragg.driver.io.OpenOptions;
import bragg.driver.shards.Manifest;
import bragg.driver.shards.PatternCodec;
import bragg.driver.shards.ShardReader;
import bragg.driver.shards.Shards;
import bragg.driver.spark.SparkSessions;
import java.nio.ByteOrder;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The new instrument formats as preprocess input, and an .ang crystal map as labels (phases)
 * and targets (Euler angles) of a scan, in local[2].
 */
class InstrumentPreprocessTest {
    static SparkSession spark;
    @TempDir
    static Path dir;

    @BeforeAll
    static void start() {
        spark = SparkSessions.getOrCreate("instrument-preprocess-test", Map.of("spark.master", "local[2]", "spark.ui.enabled", "false",
                "spark.sql.shuffle.partitions", "2"));
    }

    @AfterAll
    static void stop() {
        spark.stop();
    }

    @Test
    void blockfileWithAngLabelsAndEulerTargets() throws Exception {
        Path blo = InstrumentFixtures.blo(dir, "scan.blo", 3, 4, 8, "");
        Path ang = InstrumentFixtures.ang(dir, "map.ang", 3, 4, "SqrGrid");
        PreprocessOptions opt = PreprocessOptions.defaults(blo.toString(), dir.resolve("blo-shards").toString())
                .withLabels(ang.toString()).withTargets(ang.toString()).withScale("none").withNormalize("none").withSlabSamples(5);
        Manifest m = PreprocessJob.run(spark, opt);
        assertArrayEquals(new int[]{1, 8, 8}, m.sampleShape());
        assertEquals(12, m.count());
        assertEquals(List.of("Nickel", "Titanium"), m.labelNames());
        assertEquals(Map.of("none", 1L, "Nickel", 7L, "Titanium", 4L), m.countsPerLabel());
        Shards s = ShardReader.read(spark, opt.output());
        List<Row> rows = s.rows().orderBy("id").collectAsList();
        assertEquals(12, rows.size());
        for (Row r : rows) {
            int id = (int) r.getLong(0);
            assertEquals(List.of(id / 4, id % 4), r.getList(1));
            assertEquals(id == 1 ? -1 : id % 3 == 0 ? 1 : 0, r.getInt(2), "label of point " + id);
            List<Float> t = r.getList(3);
            assertEquals(0.01f * id, t.get(0), 1e-5);
            assertEquals(0.03f * id, t.get(2), 1e-5);
            float[] p = PatternCodec.decode((byte[]) r.get(4), "float32");
            for (int i = 0; i < 64; i++) assertEquals(Fixtures.value(id * 64 + i), p[i], "pattern " + id + " pixel " + i);
        }
    }

    @Test
    void angGridThatIsNotTheScansIsRejected() throws Exception {
        Path blo = InstrumentFixtures.blo(dir, "scan2.blo", 3, 4, 8, "");
        Path ang = InstrumentFixtures.ang(dir, "map43.ang", 4, 3, "SqrGrid");
        PreprocessOptions opt = PreprocessOptions.defaults(blo.toString(), dir.resolve("bad-shards").toString()).withLabels(ang.toString());
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> PreprocessJob.run(spark, opt));
        assertTrue(e.getMessage().contains("map43.ang") && e.getMessage().contains("4 x 3") && e.getMessage().contains("[3, 4]"), e.getMessage());
    }

    @Test
    void mrcFloat16StackAsScan() throws Exception {
        Path mrc = InstrumentFixtures.mrc(dir, "stack.mrc", 8, 8, 6, 12, ByteOrder.BIG_ENDIAN, 32);
        PreprocessOptions opt = PreprocessOptions.defaults(mrc.toString(), dir.resolve("mrc-shards").toString())
                .withOpen(OpenOptions.NONE.withScan(new long[]{2, 3})).withBin(2).withScale("none").withNormalize("none");
        Manifest m = PreprocessJob.run(spark, opt);
        assertArrayEquals(new int[]{1, 4, 4}, m.sampleShape());
        assertEquals(6, m.count());
        List<Row> rows = ShardReader.read(spark, opt.output()).rows().orderBy("id").collectAsList();
        Row r = rows.get(5);
        float[] p = PatternCodec.decode((byte[]) r.get(4), "float32");
        // output pixel (1, 2) of section 5 sums input rows 2-3, columns 4-5
        float want = 0;
        for (int y = 2; y < 4; y++) for (int x = 4; x < 6; x++) want += InstrumentFixtures.mrcValue(12, 5 * 64 + y * 8 + x);
        assertEquals(want, p[4 + 2], 1e-4);
    }

    @Test
    void angMapAsInputIsOneMultiFieldSample() throws Exception {
        Path ang = InstrumentFixtures.ang(dir, "input.ang", 3, 4, "SqrGrid");
        PreprocessOptions opt = PreprocessOptions.defaults(ang.toString(), dir.resolve("ang-shards").toString())
                .withKind("4dstem").withScale("none").withNormalize("none");
        Manifest m = PreprocessJob.run(spark, opt);
        assertArrayEquals(new int[]{8, 3, 4}, m.sampleShape());
        assertEquals(1, m.count());
        float[] p = PatternCodec.decode((byte[]) ShardReader.read(spark, opt.output()).rows().collectAsList().get(0).get(4), "float32");
        for (int i = 0; i < 12; i++) assertEquals(100 + i, p[3 * 12 + i], 1e-4, "IQ of point " + i);
    }
}
