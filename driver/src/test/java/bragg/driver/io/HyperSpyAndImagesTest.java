package bragg.driver.io;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.jhdf.HdfFile;
import io.jhdf.WritableHdfFile;
import io.jhdf.api.WritableGroup;
import java.awt.image.BufferedImage;
import java.awt.image.WritableRaster;
import java.io.IOException;
import java.nio.file.Path;
import java.util.List;
import javax.imageio.ImageIO;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * HyperSpy .hspy files in rosettasciio's layout (Experiments/&lt;title&gt;/data + axis-N groups),
 * and images whose channels and sample type inspect must report as stored.
 */
class HyperSpyAndImagesTest {
    @TempDir
    Path dir;

    static void axis(WritableGroup sig, int i, String name, String units, double scale, double offset, int size, boolean navigate) {
        WritableGroup a = sig.putGroup("axis-" + i);
        // rosettasciio's axis groups hold attributes only; jhdf 0.13 writes a childless group that
        // it cannot read back (object header not found), so each carries a dataset the reader ignores
        a.putDataset("fixture_padding", new int[]{i});
        a.putAttribute("name", name);
        a.putAttribute("units", units);
        a.putAttribute("scale", scale);
        a.putAttribute("offset", offset);
        a.putAttribute("size", size);
        // h5py stores a numpy bool as an enum that jhdf reads as "TRUE"/"FALSE" (jhdf 0.13 cannot write boolean attributes readably)
        a.putAttribute("navigate", navigate ? "TRUE" : "FALSE");
    }

    static Path hspy(Path f, Object data, boolean[] navigate, int[] dims) {
        try (WritableHdfFile h = HdfFile.write(f)) {
            h.putAttribute("file_format", "HyperSpy");
            h.putAttribute("file_format_version", "3.3");
            WritableGroup ex = h.putGroup("Experiments");
            WritableGroup sig = ex.putGroup("scan 7");
            sig.putDataset("data", data);
            String[] names = dims.length == 4 ? new String[]{"y", "x", "ky", "kx"} : new String[]{"ky", "kx"};
            for (int i = 0; i < dims.length; i++) {
                boolean nav = navigate[i];
                axis(sig, i, names[i], nav ? "nm" : "1/nm", nav ? 2.5 : 0.01, nav ? 0 : -0.2, dims[i], nav);
            }
        }
        return f;
    }

    @Test
    void hyperspyScanFoundWithoutDataset() throws IOException {
        float[][][][] d = new float[2][3][4][5];
        int n = 0;
        for (float[][][] a : d) for (float[][] b : a) for (float[] r : b) for (int c = 0; c < 5; c++) r[c] = Fixtures.value(n++);
        Path f = hspy(dir.resolve("scan.h5"), d, new boolean[]{true, true, false, false}, new int[]{2, 3, 4, 5});
        SampleSource s = Sources.open(f, OpenOptions.NONE);
        ArrayInfo i = s.info();
        assertEquals("hdf5/hspy", i.format());
        assertArrayEquals(new long[]{2, 3, 4, 5}, i.shape());
        assertEquals(DType.F32, i.dtype());
        assertEquals(List.of("y [nm]", "x [nm]", "ky [1/nm]", "kx [1/nm]"), i.axes());
        assertEquals("scan 7", i.metadata().get("signal"));
        assertTrue(i.metadata().get("axis0").startsWith("navigation scale 2.5"), i.metadata().get("axis0"));
        assertTrue(i.metadata().get("axis3").startsWith("signal scale 0.01 offset -0.2"), i.metadata().get("axis3"));
        float[] v = RealFilesTest.all(s);
        for (int p = 0; p < v.length; p++) assertEquals(Fixtures.value(p), v[p]);
    }

    @Test
    void hyperspySinglePatternIsOnePattern() throws IOException {
        int[][] d = new int[6][7];
        for (int y = 0; y < 6; y++) for (int x = 0; x < 7; x++) d[y][x] = (int) Fixtures.value(y * 7 + x);
        Path f = hspy(dir.resolve("one.hspy"), d, new boolean[]{false, false}, new int[]{6, 7});
        ArrayInfo i = Sources.open(f, OpenOptions.NONE).info();
        assertArrayEquals(new long[]{1, 6, 7}, i.shape());
        assertEquals(1, i.sampleCount());
        assertEquals(List.of("pattern", "ky [1/nm]", "kx [1/nm]"), i.axes());
        float[] v = RealFilesTest.all(Sources.open(f, OpenOptions.NONE));
        assertEquals(Fixtures.value(41), v[41]);
    }

    @Test
    void hyperspyAxesThatDisagreeWithTheDataAreRejected() {
        Path f = hspy(dir.resolve("bad.hspy"), new float[2][3][4][5], new boolean[]{true, false, true, false}, new int[]{2, 3, 4, 5});
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> Sources.open(f, OpenOptions.NONE));
        assertTrue(e.getMessage().contains(f.toString()) && e.getMessage().contains("axis-1") && e.getMessage().contains("navigate=false"), e.getMessage());
    }

    @Test
    void rgbaImageReportsFourChannelsAndConvertsOnRequest() throws IOException {
        BufferedImage img = new BufferedImage(5, 4, BufferedImage.TYPE_INT_ARGB);
        for (int y = 0; y < 4; y++) for (int x = 0; x < 5; x++) img.setRGB(x, y, (100 + x) << 24 | (10 * y) << 16 | (20 + x) << 8 | 7);
        Path f = dir.resolve("rgba.png");
        ImageIO.write(img, "png", f.toFile());
        SampleSource s = Sources.open(f, OpenOptions.NONE);
        assertArrayEquals(new long[]{1, 4, 4, 5}, s.info().shape());
        assertEquals("4", s.info().metadata().get("stored_channels"));
        float[] v = RealFilesTest.all(s);
        assertEquals(30, v[3 * 5 + 2]);                  // red of (y 3, x 2)
        assertEquals(22, v[20 + 2]);                     // green of (0, 2)
        assertEquals(7, v[40]);                          // blue
        assertEquals(104, v[60 + 4]);                    // alpha of (0, 4)
        SampleSource rgb = Sources.open(f, OpenOptions.NONE.withChannels(3));
        assertArrayEquals(new long[]{1, 3, 4, 5}, rgb.info().shape());
        assertTrue(rgb.info().metadata().get("channel_conversion").contains("alpha dropped"), rgb.info().metadata().toString());
    }

    @Test
    void sixteenBitTiffReportsU16() throws IOException {
        BufferedImage img = new BufferedImage(6, 3, BufferedImage.TYPE_USHORT_GRAY);
        WritableRaster r = img.getRaster();
        for (int y = 0; y < 3; y++) for (int x = 0; x < 6; x++) r.setSample(x, y, 0, 1000 * (y * 6 + x) + 17);
        Path f = dir.resolve("grey16.tif");
        assertTrue(ImageIO.write(img, "tiff", f.toFile()));
        SampleSource s = Sources.open(f, OpenOptions.NONE);
        assertEquals(DType.U16, s.info().dtype());
        assertArrayEquals(new long[]{1, 3, 6}, s.info().shape());
        assertEquals("1", s.info().metadata().get("stored_channels"));
        float[] v = RealFilesTest.all(s);
        assertEquals(17017, v[17]);
    }
}
