package bragg.driver.preprocess;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import bragg.driver.generate.LpbfGenerator;
import bragg.driver.generate.LpbfSpec;
import bragg.driver.generate.StemGenerator;
import bragg.driver.generate.StemSpec;
import bragg.driver.io.DType;
import bragg.driver.io.NpyWriter;
import bragg.driver.io.OpenOptions;
import bragg.driver.shards.Manifest;
import bragg.driver.shards.PatternCodec;
import bragg.driver.shards.ShardReader;
import bragg.driver.shards.Shards;
import bragg.driver.spark.SparkSessions;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The preprocess job end to end in local[2] on generated data: manifest and every shard row
 * checked against an independent plain recomputation from the raw file; bad inputs.
 */
class PreprocessJobTest {
    static SparkSession spark;
    @TempDir
    static Path dir;

    @BeforeAll
    static void start() {
        spark = SparkSessions.getOrCreate("preprocess-test", Map.of("spark.master", "local[2]", "spark.ui.enabled", "false",
                "spark.sql.shuffle.partitions", "2"));
    }

    @AfterAll
    static void stop() {
        spark.stop();
    }

    /** The raw scan.npy as [n][k*k] floats, read without the readers under test. */
    static float[][] rawFrames(Path npy, int n, int k) throws IOException {
        byte[] b = Files.readAllBytes(npy);
        int off = b.length - n * k * k * 2;
        ByteBuffer bb = ByteBuffer.wrap(b, off, n * k * k * 2).order(ByteOrder.LITTLE_ENDIAN);
        float[][] out = new float[n][k * k];
        for (int i = 0; i < n; i++) for (int p = 0; p < k * k; p++) out[i][p] = bb.getShort() & 0xFFFF;
        return out;
    }

    /** Plain recomputation: centre on the >= half-max centre of mass, crop, bin (sum), log1p. */
    static float[] reference(float[] f, int k, int[] crop, int bin, boolean centre) {
        float[] src = f;
        if (centre) {
            float max = 0;
            for (float v : f) max = Math.max(max, v);
            double sw = 0, sy = 0, sx = 0;
            for (int p = 0; p < k * k; p++) if (f[p] >= max / 2 && f[p] > 0) { sw += f[p]; sy += f[p] * (p / k); sx += f[p] * (p % k); }
            int dy = (int) Math.round((k - 1) / 2.0 - sy / sw);
            int dx = (int) Math.round((k - 1) / 2.0 - sx / sw);
            src = new float[k * k];
            for (int y = 0; y < k; y++) for (int x = 0; x < k; x++) {
                int ty = y + dy, tx = x + dx;
                if (ty >= 0 && ty < k && tx >= 0 && tx < k) src[ty * k + tx] = f[y * k + x];
            }
        }
        int oh = crop[2] / bin, ow = crop[3] / bin;
        float[] out = new float[oh * ow];
        for (int y = 0; y < oh * bin; y++) for (int x = 0; x < ow * bin; x++) out[(y / bin) * ow + x / bin] += src[(crop[0] + y) * k + crop[1] + x];
        for (int i = 0; i < out.length; i++) out[i] = (float) Math.log1p(out[i]);
        return out;
    }

    static String sha256(Path p) throws Exception {
        return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(Files.readAllBytes(p)));
    }

    @Test
    void stemScanToShardsMatchesIndependentRecomputation() throws Exception {
        Path g = dir.resolve("stem");
        int sy = 6, sx = 5, k = 32;
        StemGenerator gen = new StemGenerator(new StemSpec(sy, sx, k, 4, 8000, 2, 0.8, 1.5, 11));
        gen.write(g, 2);
        int[] crop = {2, 4, 26, 24};
        PreprocessOptions opt = PreprocessOptions.defaults(g.resolve("scan.npy").toString(), dir.resolve("stem-shards").toString())
                .withLabels(g.resolve("labels.npy").toString()).withTargets(g.resolve("targets.npy").toString())
                .withCrop(crop).withBin(2).withScale("log").withCenter(true).withSlabSamples(7).withPartitions(3);
        Manifest m = PreprocessJob.run(spark, opt);
        Shards s = ShardReader.read(spark, opt.output());
        assertEquals(m.toJson(), s.manifest().toJson());
        assertEquals("4dstem", m.kind());
        assertArrayEquals(new int[]{1, 13, 12}, m.sampleShape());
        assertEquals(30, m.count());
        assertEquals(List.of("cubic", "hexagonal"), m.labelNames());
        assertEquals(sha256(g.resolve("scan.npy")), m.sources().get(0).sha256());
        long cubic = 0;
        for (int y = 0; y < sy; y++) for (int x = 0; x < sx; x++) if (gen.phaseAt(y, x) == 0) cubic++;
        assertEquals(Map.of("cubic", cubic, "hexagonal", 30 - cubic), m.countsPerLabel());
        // independent statistics and normalised patterns
        float[][] raw = rawFrames(g.resolve("scan.npy"), 30, k);
        float[][] ref = new float[30][];
        double sum = 0, sum2 = 0;
        for (int i = 0; i < 30; i++) {
            ref[i] = reference(raw[i], k, crop, 2, true);
            for (float v : ref[i]) { sum += v; sum2 += (double) v * v; }
        }
        double mean = sum / (30 * 156), std = Math.sqrt(sum2 / (30 * 156) - mean * mean);
        assertEquals(mean, (double) m.normalization().get("mean"), 1e-9 * Math.abs(mean) + 1e-9);
        assertEquals(std, (double) m.normalization().get("std"), 1e-6 * std);
        List<Row> rows = s.rows().orderBy("id").collectAsList();
        assertEquals(30, rows.size());
        try (Stream<Path> l = Files.list(Path.of(opt.output()))) {
            assertEquals(3, l.filter(p -> p.toString().endsWith(".parquet")).count(), "one Parquet file per partition");
        }
        for (Row r : rows) {
            int id = (int) r.getLong(0);
            assertEquals(List.of(id / sx, id % sx), r.getList(1));
            assertEquals(gen.phaseAt(id / sx, id % sx), r.getInt(2));
            assertEquals(List.of(gen.orientationAt(id / sx, id % sx)), r.getList(3));
            float[] p = PatternCodec.decode((byte[]) r.get(4), "float32");
            for (int j = 0; j < p.length; j++) assertEquals((ref[id][j] - mean) / std, p[j], 1e-4, "sample " + id + " pixel " + j);
        }
        // bin 2 of uint16 shrinks each pattern below its raw bytes: the file was read once, the
        // transformed slabs cached on local disk for the write pass
        assertEquals(1, m.extra().get("raw_reads"));
        // bin 1 of uint16 doubles it: read twice, with the same result as an independent bin 1
        PreprocessOptions twice = PreprocessOptions.defaults(g.resolve("scan.npy").toString(), dir.resolve("stem-shards-1").toString())
                .withSlabSamples(4).withChecksums(false);
        Manifest m1 = PreprocessJob.run(spark, twice);
        assertEquals(2, m1.extra().get("raw_reads"));
        double s1 = 0, q1 = 0;
        for (float[] f : raw) for (float v : reference(f, k, new int[]{0, 0, k, k}, 1, false)) { s1 += v; q1 += (double) v * v; }
        double mean1 = s1 / (30 * k * k);
        assertEquals(mean1, (double) m1.normalization().get("mean"), 1e-9 * mean1);
        assertEquals(Math.sqrt(q1 / (30 * k * k) - mean1 * mean1), (double) m1.normalization().get("std"), 1e-6);
        // no temporary folder is left next to the output
        try (Stream<Path> l = Files.list(dir)) {
            assertFalse(l.anyMatch(p -> p.getFileName().toString().contains(".tmp-")));
        }
    }

    /**
     * Without centring the 16-bit counts are binned straight from the stored bytes: every row
     * must still equal the independent float recomputation (odd crop offset: blocks straddle the
     * pixel pairs the fast path reads).
     */
    @Test
    void storedCountsPathMatchesIndependentRecomputation() throws Exception {
        Path g = dir.resolve("stem-stored");
        int sy = 4, sx = 5, k = 32;
        new StemGenerator(new StemSpec(sy, sx, k, 3, 8000, 2, 0.8, 1.5, 5)).write(g, 2);
        int[] crop = {1, 3, 29, 27};
        PreprocessOptions opt = PreprocessOptions.defaults(g.resolve("scan.npy").toString(), dir.resolve("stem-stored-shards").toString())
                .withCrop(crop).withBin(2).withScale("log").withSlabSamples(6).withChecksums(false);
        Manifest m = PreprocessJob.run(spark, opt);
        assertArrayEquals(new int[]{1, 14, 13}, m.sampleShape());
        float[][] raw = rawFrames(g.resolve("scan.npy"), sy * sx, k);
        float[][] ref = new float[sy * sx][];
        double sum = 0, sum2 = 0;
        for (int i = 0; i < ref.length; i++) {
            ref[i] = reference(raw[i], k, crop, 2, false);
            for (float v : ref[i]) { sum += v; sum2 += (double) v * v; }
        }
        double mean = sum / (ref.length * 182), std = Math.sqrt(sum2 / (ref.length * 182) - mean * mean);
        assertEquals(mean, (double) m.normalization().get("mean"), 1e-9 * Math.abs(mean) + 1e-9);
        List<Row> rows = ShardReader.read(spark, opt.output()).rows().orderBy("id").collectAsList();
        assertEquals(ref.length, rows.size());
        for (Row r : rows) {
            int id = (int) r.getLong(0);
            float[] p = PatternCodec.decode((byte[]) r.get(4), "float32");
            for (int j = 0; j < p.length; j++) assertEquals((ref[id][j] - mean) / std, p[j], 1e-4, "sample " + id + " pixel " + j);
        }
    }

    @Test
    void lpbfStackTilesWithLayersBelowAndFloat16() throws Exception {
        Path g = dir.resolve("lpbf");
        LpbfGenerator gen = new LpbfGenerator(new LpbfSpec(5, 64, 16, 4, 67, 3));
        gen.write(g);
        PreprocessOptions opt = PreprocessOptions.defaults(g.resolve("layers").toString(), dir.resolve("lpbf-shards").toString())
                .withLabels(g.resolve("labels.npy").toString()).withTile(16).withLayersBelow(2).withScale("none").withNormalize("max")
                .withDtype("float16").withSlabSamples(2);
        Manifest m = PreprocessJob.run(spark, opt);
        assertEquals("lpbf", m.kind());
        assertArrayEquals(new int[]{3, 16, 16}, m.sampleShape());
        assertEquals(3 * 16, m.count());
        assertEquals(List.of("none", "pore", "lack_of_fusion"), m.labelNames());
        assertEquals(2, m.extra().get("raw_reads"));
        List<Row> rows = ShardReader.read(spark, opt.output()).rows().orderBy("id").collectAsList();
        assertEquals(48, rows.size());
        double max = (double) m.normalization().get("max");
        long[] counts = new long[3];
        for (Row r : rows) {
            List<Integer> pos = r.getList(1);
            int k = pos.get(0), ty = pos.get(1), tx = pos.get(2);
            assertTrue(k >= 2);
            assertEquals(gen.patchLabels(k)[ty * 4 + tx], r.getInt(2));
            counts[r.getInt(2)]++;
            float[] p = PatternCodec.decode((byte[]) r.get(4), "float16");
            for (int j = 0; j < 3; j++) {
                int[] layer = gen.layer(k - j);
                for (int y = 0; y < 16; y++) for (int x = 0; x < 16; x++) {
                    float want = (float) (layer[(ty * 16 + y) * 64 + tx * 16 + x] / max);
                    assertEquals(want, p[(j * 16 + y) * 16 + x], 1e-3, "layer " + k + " minus " + j);
                }
            }
        }
        assertEquals(counts[0], m.countsPerLabel().get("none"));
        assertEquals(counts[1], m.countsPerLabel().get("pore"));
    }

    @Test
    void nonFiniteFramesFailWithSampleOrAreDroppedAndCounted() throws Exception {
        float[] v = new float[6 * 4 * 4];
        for (int i = 0; i < v.length; i++) v[i] = i % 5;
        v[3 * 16 + 5] = Float.NaN;
        v[4 * 16] = Float.POSITIVE_INFINITY;
        Path f = dir.resolve("nan.npy");
        NpyWriter.write(f, DType.F32, new long[]{6, 4, 4}, v);
        PreprocessOptions opt = PreprocessOptions.defaults(f.toString(), dir.resolve("nan-out").toString()).withChecksums(false);
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> PreprocessJob.run(spark, opt));
        assertTrue(e.getMessage().contains("nan.npy") && e.getMessage().contains("2 samples hold NaN or Inf")
                && e.getMessage().contains("first is sample 3"), e.getMessage());
        assertFalse(Files.exists(dir.resolve("nan-out")));
        Manifest m = PreprocessJob.run(spark, opt.withNonFinite("drop"));
        assertEquals(4, m.count());
        assertEquals(Map.of("policy", "drop", "samples", 2L), m.extra().get("non_finite"));
        List<Long> ids = ShardReader.read(spark, opt.output()).rows().orderBy("id").select("id").as(org.apache.spark.sql.Encoders.LONG()).collectAsList();
        assertEquals(List.of(0L, 1L, 2L, 5L), ids);
    }

    @Test
    void badInputsNameFileAndWhatWasExpected() throws Exception {
        Path out = dir.resolve("bad-out");
        // a label file that does not match the scan
        Path g = dir.resolve("small");
        new StemGenerator(new StemSpec(3, 4, 16, 2, 1000, 1, 0.5, 1.5, 1)).write(g, 1);
        NpyWriter.write(dir.resolve("labels5.npy"), DType.I32, new long[]{5}, new float[5]);
        IllegalArgumentException l = assertThrows(IllegalArgumentException.class, () -> PreprocessJob.run(spark,
                PreprocessOptions.defaults(g.resolve("scan.npy").toString(), out.toString()).withLabels(dir.resolve("labels5.npy").toString())));
        assertTrue(l.getMessage().contains("labels5.npy") && l.getMessage().contains("[5]") && l.getMessage().contains("[3, 4]"), l.getMessage());
        NpyWriter.write(dir.resolve("labels12.npy"), DType.I32, new long[]{3, 4}, new float[]{0, 1, 0, 1, 0, 1, 0, 7, 0, 0, 0, 0});
        IllegalArgumentException r = assertThrows(IllegalArgumentException.class, () -> PreprocessJob.run(spark,
                PreprocessOptions.defaults(g.resolve("scan.npy").toString(), out.toString()).withLabels(dir.resolve("labels12.npy").toString())
                        .withLabelNames(List.of("a", "b"))));
        assertTrue(r.getMessage().contains("row 7") && r.getMessage().contains("label 7"), r.getMessage());
        // empty input: a 0-byte file and a folder without images
        Path empty = Files.createFile(dir.resolve("empty.mib"));
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> PreprocessJob.run(spark,
                PreprocessOptions.defaults(empty.toString(), out.toString())));
        assertTrue(e.getMessage().contains("empty.mib") && e.getMessage().contains("empty"), e.getMessage());
        // an HDF5 dataset path that is not there lists what is
        Path h5 = dir.resolve("stack.h5");
        new LpbfGenerator(new LpbfSpec(2, 16, 8, 1, 67, 1)).writePeregrine(h5);
        IllegalArgumentException h = assertThrows(IllegalArgumentException.class, () -> PreprocessJob.run(spark,
                PreprocessOptions.defaults(h5.toString(), out.toString()).withOpen(OpenOptions.NONE.withDataset("/slices/camera_data/visible/7"))));
        assertTrue(h.getMessage().contains("stack.h5") && h.getMessage().contains("'/slices/camera_data/visible/7' not found")
                && h.getMessage().contains("/slices/camera_data/visible/0 [2, 16, 16]"), h.getMessage());
        // a declared shape that does not match the header
        IllegalArgumentException d = assertThrows(IllegalArgumentException.class, () -> PreprocessJob.run(spark,
                PreprocessOptions.defaults(g.resolve("scan.npy").toString(), out.toString()).withOpen(OpenOptions.NONE.withShape(new long[]{4, 3, 16, 16}))));
        assertTrue(d.getMessage().contains("declared shape [4, 3, 16, 16]") && d.getMessage().contains("[3, 4, 16, 16]"), d.getMessage());
        // a truncated .npy: the header's shape needs more bytes than the file has
        byte[] scan = Files.readAllBytes(g.resolve("scan.npy"));
        Path cut = dir.resolve("cut.npy");
        Files.write(cut, java.util.Arrays.copyOf(scan, scan.length - 100));
        java.io.IOException t = assertThrows(java.io.IOException.class, () -> PreprocessJob.run(spark, PreprocessOptions.defaults(cut.toString(), out.toString())));
        assertTrue(t.getMessage().contains("cut.npy") && t.getMessage().contains("truncated") && t.getMessage().contains("data from offset 128")
                && t.getMessage().contains("file has " + (scan.length - 100) + " bytes"), t.getMessage());
        // a truncated Merlin file: what does not divide into frames
        Path mib = bragg.driver.io.Fixtures.mib(dir, "run.mib", 4, 16, 16, "U16", 384, 1);
        byte[] mb = Files.readAllBytes(mib);
        Files.write(mib, java.util.Arrays.copyOf(mb, mb.length - 7));
        java.io.IOException tm = assertThrows(java.io.IOException.class, () -> PreprocessJob.run(spark, PreprocessOptions.defaults(mib.toString(), out.toString())));
        assertTrue(tm.getMessage().contains("run.mib") && tm.getMessage().contains("not a whole number of Merlin frames of 896 bytes")
                && tm.getMessage().contains("3 frames and 889 bytes left over"), tm.getMessage());
        // HDF5 magic, then garbage
        Path junk = dir.resolve("junk.h5");
        byte[] jb = new byte[4096];
        System.arraycopy(new byte[]{(byte) 0x89, 'H', 'D', 'F', '\r', '\n', 0x1a, '\n'}, 0, jb, 0, 8);
        jb[8] = 7;    // superblock version 7 does not exist
        Files.write(junk, jb);
        Exception hj = assertThrows(Exception.class, () -> PreprocessJob.run(spark, PreprocessOptions.defaults(junk.toString(), out.toString())));
        assertTrue(hj.getMessage().contains("junk.h5") && hj.getMessage().contains("not readable as HDF5"), hj.getMessage());
        // options name their field
        IllegalArgumentException o = assertThrows(IllegalArgumentException.class, () -> PreprocessOptions.defaults("a", "b").withBin(3));
        assertTrue(o.getMessage().contains("option bin must be 1, 2 or 4, got 3"), o.getMessage());
        assertFalse(Files.exists(out));
    }
}
