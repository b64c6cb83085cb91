package bragg.driver.generate;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import bragg.driver.io.ArrayStats;
import bragg.driver.io.Hdf5Source;
import bragg.driver.io.OpenOptions;
import bragg.driver.io.SampleSource;
import bragg.driver.io.SlabReader;
import bragg.driver.io.Sources;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Generators: deterministic per seed, physically sensible, readable by the readers. */
class GeneratorsTest {
    @TempDir
    Path dir;

    static float[] all(SampleSource s) throws IOException {
        float[] v = new float[Math.toIntExact(s.info().sampleCount() * s.info().sampleSize())];
        try (SlabReader r = s.open()) {
            r.read(0, (int) s.info().sampleCount(), v);
        }
        return v;
    }

    @Test
    void stemIsDeterministicAndIndependentOfThreads() throws IOException {
        StemSpec spec = new StemSpec(6, 5, 32, 4, 5000, 2, 0.8, 1.5, 42);
        new StemGenerator(spec).write(dir.resolve("a"), 1);
        new StemGenerator(spec).write(dir.resolve("b"), 3);
        new StemGenerator(new StemSpec(6, 5, 32, 4, 5000, 2, 0.8, 1.5, 43)).write(dir.resolve("c"), 2);
        for (String f : List.of("scan.npy", "labels.npy", "targets.npy", "labels.txt")) {
            assertArrayEquals(Files.readAllBytes(dir.resolve("a/" + f)), Files.readAllBytes(dir.resolve("b/" + f)), f);
        }
        assertNotEquals(java.util.Arrays.hashCode(Files.readAllBytes(dir.resolve("a/scan.npy"))),
                java.util.Arrays.hashCode(Files.readAllBytes(dir.resolve("c/scan.npy"))));
        SampleSource s = Sources.open(dir.resolve("a/scan.npy"), OpenOptions.NONE);
        assertArrayEquals(new long[]{6, 5, 32, 32}, s.info().shape());
    }

    @Test
    void stemEmdHdf5HoldsTheSameCountsAsNpy() throws IOException {
        StemSpec spec = new StemSpec(4, 3, 32, 3, 4000, 2, 0.8, 1.5, 21);
        new StemGenerator(spec).write(dir.resolve("npy"), 2);
        new StemGenerator(spec).writeEmd(dir.resolve("emd"), 2);
        SampleSource h = Sources.open(dir.resolve("emd/scan.h5"), OpenOptions.NONE);
        assertEquals("hdf5/emd1", h.info().format());
        assertArrayEquals(new long[]{4, 3, 32, 32}, h.info().shape());
        assertEquals(List.of("scan_y [pixels]", "scan_x [pixels]", "k_y [pixels]", "k_x [pixels]"), h.info().axes());
        assertTrue(h.info().metadata().get("filters").contains("deflate"), h.info().metadata().toString());
        assertArrayEquals(all(Sources.open(dir.resolve("npy/scan.npy"), OpenOptions.NONE)), all(h));
        assertArrayEquals(Files.readAllBytes(dir.resolve("npy/labels.npy")), Files.readAllBytes(dir.resolve("emd/labels.npy")));
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> new StemGenerator(StemSpec.of(64, 64, 256, 1)).writeEmd(dir.resolve("big"), 1));
        assertTrue(e.getMessage().contains("512 MB") && e.getMessage().contains("limit is 256 MB"), e.getMessage());
    }

    @Test
    void stemPatternsHaveBeamDoseBothPhasesAndDescan() throws IOException {
        StemSpec spec = new StemSpec(8, 8, 64, 6, 20000, 6, 0.8, 2, 7);
        StemGenerator g = new StemGenerator(spec);
        g.write(dir, 2);
        float[] v = all(Sources.open(dir.resolve("scan.npy"), OpenOptions.NONE));
        int k = 64;
        boolean[] seen = new boolean[2];
        for (int y = 0; y < 8; y++) for (int x = 0; x < 8; x++) seen[g.phaseAt(y, x)] = true;
        assertTrue(seen[0] && seen[1], "both phases present");
        // dose: mean counts per pattern ~ 20000 (a little is lost off the detector edge)
        double total = 0;
        for (float f : v) total += f;
        assertEquals(20000, total / 64, 2500);
        // central beam centre of mass follows the descan shift (6 px across the scan in x)
        double[] cxFirst = com(v, 0, k);
        double[] cxLast = com(v, 7 * k * k, k);
        assertEquals(6, cxLast[1] - cxFirst[1], 1.0);
        assertEquals((k - 1) / 2.0 - 3, cxFirst[1], 1.0);
        // orientation targets lie in [0, symmetry)
        for (int y = 0; y < 8; y++) for (int x = 0; x < 8; x++) {
            float o = g.orientationAt(y, x);
            assertTrue(o >= 0 && o < (g.phaseAt(y, x) == 0 ? 90 : 60));
        }
    }

    @Test
    void electronByElectronCountsAreIndependentPoissonPerPixel() {
        float[] img = {0.1f, 0.2f, 0.3f, 0.4f};
        int trials = 40000;
        double[] sum = new double[4];
        double[] sq = new double[4];
        double cross = 0;
        int[] out = new int[4];
        java.util.SplittableRandom r = new java.util.SplittableRandom(3);
        for (int t = 0; t < trials; t++) {
            StemGenerator.count(img, 4, 10, r, out, 0);
            for (int i = 0; i < 4; i++) {
                sum[i] += out[i];
                sq[i] += (double) out[i] * out[i];
            }
            cross += (double) out[0] * out[3];
        }
        for (int i = 0; i < 4; i++) {
            double mean = sum[i] / trials;
            double var = sq[i] / trials - mean * mean;
            assertEquals(10 * img[i], mean, 0.03 * 10 * img[i] + 0.02, "pixel " + i + " mean");
            assertEquals(mean, var, 0.05 * mean + 0.03, "pixel " + i + ": Poisson variance equals the mean");
        }
        // a fixed electron total would make pixels anti-correlated (multinomial); Poisson splitting does not
        double cov = cross / trials - (sum[0] / trials) * (sum[3] / trials);
        assertEquals(0, cov, 0.06, "covariance of pixels 0 and 3");
    }

    /** centre of mass of the pixels above half the maximum (the central beam) */
    static double[] com(float[] v, int off, int k) {
        float max = 0;
        for (int i = 0; i < k * k; i++) max = Math.max(max, v[off + i]);
        double sw = 0, sy = 0, sx = 0;
        for (int i = 0; i < k * k; i++) {
            if (v[off + i] >= max / 2) {
                sw += v[off + i];
                sy += v[off + i] * (i / k);
                sx += v[off + i] * (i % k);
            }
        }
        return new double[]{sy / sw, sx / sw};
    }

    @Test
    void lpbfStackRotatesStripesPersistsDefectsAndWritesPeregrine() throws IOException {
        LpbfSpec spec = new LpbfSpec(6, 64, 16, 4, 67, 5);
        LpbfGenerator g = new LpbfGenerator(spec);
        g.write(dir.resolve("a"));
        new LpbfGenerator(spec).write(dir.resolve("b"));
        for (int k = 0; k < 6; k++) {
            String f = String.format("layers/layer_%05d.png", k);
            assertArrayEquals(Files.readAllBytes(dir.resolve("a/" + f)), Files.readAllBytes(dir.resolve("b/" + f)), f);
        }
        assertArrayEquals(Files.readAllBytes(dir.resolve("a/labels.npy")), Files.readAllBytes(dir.resolve("b/labels.npy")));
        SampleSource layers = Sources.open(dir.resolve("a/layers"), OpenOptions.NONE);
        assertArrayEquals(new long[]{6, 64, 64}, layers.info().shape());
        float[] lv = all(layers);
        int[] l3 = g.layer(3);
        for (int i = 0; i < 4096; i++) assertEquals(l3[i], lv[3 * 4096 + i]);
        // a defect present at layer k is present (same class) at k+1 unless it ended
        LpbfGenerator big = new LpbfGenerator(new LpbfSpec(20, 128, 16, 8, 67, 9));
        int persisted = 0;
        int defectPatches = 0;
        for (int k = 0; k < 19; k++) {
            int[] a = big.patchLabels(k);
            int[] b = big.patchLabels(k + 1);
            for (int i = 0; i < a.length; i++) {
                if (a[i] > 0) {
                    defectPatches++;
                    if (b[i] == a[i]) persisted++;
                }
            }
        }
        assertTrue(defectPatches > 10, "defects appear: " + defectPatches);
        assertTrue(persisted > defectPatches / 2, "most defect patches persist to the next layer: " + persisted + "/" + defectPatches);
        // Peregrine layout HDF5 through jhdf, read back by the Peregrine reader
        Path h5 = dir.resolve("stack.h5");
        g.writePeregrine(h5);
        Hdf5Source p = (Hdf5Source) Sources.open(h5, OpenOptions.NONE);
        assertEquals("hdf5/peregrine", p.info().format());
        assertArrayEquals(new long[]{6, 64, 64}, p.info().shape());
        assertEquals(List.of("lack_of_fusion", "pore"), List.copyOf(p.labelMasks().keySet()));
        float[] cam = all(p);
        ArrayStats st = ArrayStats.of(layers);
        double sum = 0;
        for (float f : cam) sum += f;
        assertEquals(st.sum, sum);
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> new LpbfGenerator(new LpbfSpec(2000, 1024, 16, 1, 67, 1)).writePeregrine(dir.resolve("x.h5")));
        assertTrue(e.getMessage().contains("limit"), e.getMessage());
    }
}
