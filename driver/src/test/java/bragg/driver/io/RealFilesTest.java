package bragg.driver.io;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;

/** Each reader on the real files, asserting the facts their SOURCE.txt states. */
class RealFilesTest {

    static float[] all(SampleSource s) throws IOException {
        ArrayInfo i = s.info();
        float[] out = new float[Math.toIntExact(i.sampleCount() * i.sampleSize())];
        try (SlabReader r = s.open()) {
            r.read(0, (int) i.sampleCount(), out);
        }
        return out;
    }

    static double sum(float[] v) {
        double s = 0;
        for (float x : v) s += x;
        return s;
    }

    /** (y, x) of the maximum of the per-pixel sum over all frames. */
    static int[] argmaxOfSum(float[] v, int frames, int h, int w) {
        double[] acc = new double[h * w];
        for (int f = 0; f < frames; f++) for (int p = 0; p < h * w; p++) acc[p] += v[f * h * w + p];
        int best = 0;
        for (int p = 1; p < acc.length; p++) if (acc[p] > acc[best]) best = p;
        return new int[]{best / w, best % w};
    }

    @Test
    void merlin4x2SixBitScan() throws IOException {
        Path p = RealData.file("4dstem-merlin-mib/001_4x2_6bit.mib");
        SampleSource s = Sources.open(p, OpenOptions.NONE.withScan(new long[]{2, 4}));
        assertEquals("mib", s.info().format());
        assertArrayEquals(new long[]{2, 4, 256, 256}, s.info().shape());
        assertEquals(DType.U8, s.info().dtype());
        assertEquals("6", s.info().metadata().get("counter_depth"));
        float[] v = all(s);
        assertEquals(3623664, sum(v));
        ArrayStats st = new ArrayStats();
        st.add(v, v.length);
        assertEquals(0, st.min);
        assertEquals(63, st.max);
        assertArrayEquals(new int[]{120, 21}, argmaxOfSum(v, 8, 256, 256));
        // slabs read by themselves agree with the whole read
        float[] part = new float[3 * 65536];
        try (SlabReader r = s.open()) {
            r.read(5, 3, part);
        }
        for (int i = 0; i < part.length; i++) assertEquals(v[5 * 65536 + i], part[i]);
    }

    @Test
    void merlinCounterDepthsAndQuad() throws IOException {
        String d = "4dstem-merlin-mib/";
        Object[][] facts = {
                {"002_4x2_6bit_roi128.mib", new long[]{8, 128, 256}, DType.U8, 3263829.0, new int[]{60, 19}},
                // its .hdr says 4 frames per trigger: the 4-wide scan rows of SOURCE.txt's (2, 4, 128, 256)
                {"002_merlin_test_roi_sig256x128_nav4x2_hot_pixel_52x_39y.mib", new long[]{2, 4, 128, 256}, DType.U16, 79.0, new int[]{39, 52}},
                {"Quad_1_Frame_CounterDepth_12_Rows_256.mib", new long[]{1, 512, 512}, DType.U16, 845907.0, new int[]{12, 286}},
                {"Single_1_Frame_CounterDepth_12_Rows_256.mib", new long[]{1, 256, 256}, DType.U16, 28911.0, new int[]{108, 200}},
                {"Single_1_Frame_CounterDepth_24_Rows_256.mib", new long[]{1, 256, 256}, DType.U32, 29416.0, new int[]{108, 200}},
                {"Single_1_Frame_CounterDepth_6_Rows_256.mib", new long[]{1, 256, 256}, DType.U8, 24336.0, new int[]{1, 134}},
                {"Single_9_Frame_CounterDepth_6_Rows_256.mib", new long[]{9, 256, 256}, DType.U8, 217684.0, new int[]{1, 134}},
        };
        for (Object[] f : facts) {
            SampleSource s = Sources.open(RealData.file(d + f[0]), OpenOptions.NONE);
            long[] shape = (long[]) f[1];
            assertArrayEquals(shape, s.info().shape(), (String) f[0]);
            assertEquals(f[2], s.info().dtype(), (String) f[0]);
            float[] v = all(s);
            assertEquals((double) f[3], sum(v), (String) f[0]);
            int n = shape.length;
            int frames = (int) (shape.length == 4 ? shape[0] * shape[1] : shape[0]);
            assertArrayEquals((int[]) f[4], argmaxOfSum(v, frames, (int) shape[n - 2], (int) shape[n - 1]), (String) f[0]);
        }
        assertTrue(Sources.open(RealData.file(d + "002_merlin_test_roi_sig256x128_nav4x2_hot_pixel_52x_39y.mib"), OpenOptions.NONE)
                .info().metadata().get("scan_from").startsWith("hdr"));
        MibHeader quad = MibHeader.read(RealData.file(d + "Quad_1_Frame_CounterDepth_12_Rows_256.mib"));
        assertEquals(768, quad.headerBytes());
        assertEquals(4, quad.chips());
        assertEquals(12, quad.counterDepth());
        // opening through the .hdr finds the frames next to it
        assertArrayEquals(new long[]{9, 256, 256}, Sources.open(RealData.file(d + "Single_9_Frame_CounterDepth_6_Rows_256.hdr"), OpenOptions.NONE).info().shape());
    }

    @Test
    void fpdHdf5GzipShuffleFletcherBigEndian() throws IOException {
        SampleSource s = Sources.open(RealData.file("4dstem-fpd-merlin-hdf5/fpd_file_test.hdf5"), OpenOptions.NONE);
        assertEquals("hdf5/fpd", s.info().format());
        assertArrayEquals(new long[]{2, 2, 256, 256}, s.info().shape());
        assertEquals(DType.U16, s.info().dtype());
        assertEquals("big", s.info().byteOrder());
        float[] v = all(s);
        double[] perProbe = new double[4];
        for (int i = 0; i < v.length; i++) perProbe[i / 65536] += v[i];
        assertArrayEquals(new double[]{821833, 822375, 821384, 823283}, perProbe);
        // a slab starting mid-scan (crosses the scan-row boundary) reads the same values
        float[] part = new float[2 * 65536];
        try (SlabReader r = s.open()) {
            r.read(1, 2, part);
        }
        for (int i = 0; i < part.length; i++) assertEquals(v[65536 + i], part[i]);
    }

    @Test
    void emd1Py4dstemLayout() throws IOException {
        SampleSource s = Sources.open(RealData.file("layout-only-py4dstem-emdfile-SYNTHETIC/py4DSTEM_size2x3x4x5.h5"), OpenOptions.NONE);
        assertEquals("hdf5/emd1", s.info().format());
        assertArrayEquals(new long[]{2, 3, 4, 5}, s.info().shape());
        assertEquals(DType.F32, s.info().dtype());
        assertEquals(List.of("Rx [nm]", "Ry [nm]", "Qx [A^-1]", "Qy [A^-1]"), s.info().axes());
        ArrayStats st = ArrayStats.of(s);
        assertEquals(-13.1188, st.min, 1e-4);
        assertEquals(2766.8955, st.max, 1e-3);
        assertEquals(28255.877, st.sum, 1e-2);
    }

    @Test
    void h5ebsdMatchesNordifRawAndBmpBackground() throws IOException {
        SampleSource h = Sources.open(RealData.file("ebsd-ni-kikuchipy/patterns.h5"), OpenOptions.NONE);
        assertEquals("hdf5/h5ebsd", h.info().format());
        assertArrayEquals(new long[]{3, 3, 60, 60}, h.info().shape());
        float[] hv = all(h);
        assertEquals(4732574, sum(hv));
        SampleSource raw = Sources.open(RealData.file("ebsd-ni-kikuchipy/Pattern.dat"),
                OpenOptions.NONE.withShape(new long[]{9, 60, 60}).withDtype(DType.U8).withScan(new long[]{3, 3}));
        assertArrayEquals(new long[]{3, 3, 60, 60}, raw.info().shape());
        assertArrayEquals(hv, all(raw));
        SampleSource bmp = Sources.open(RealData.file("ebsd-ni-kikuchipy/background_acquisition_pattern.bmp"), OpenOptions.NONE);
        assertEquals("bmp", bmp.info().format());
        assertArrayEquals(new long[]{1, 60, 60}, bmp.info().shape());
        ArrayStats st = ArrayStats.of(bmp);
        assertEquals(25, st.min);
        assertEquals(219, st.max);
    }

    @Test
    void pblmJpegClassFolders() throws IOException {
        Path dir = RealData.file("lpbf-powderbed-layers-pblm");
        ImageSource s = ImageSource.open(dir, OpenOptions.NONE.withImageSize(new int[]{64, 64}));
        assertEquals(35, s.info().sampleCount());
        assertEquals(List.of("Deformation_With_Scratch", "No_Defect", "Plateform_Powder_Uneven", "Powder_Uneven", "Powder_Uneven_With_Scratch"), s.labelNames());
        int[] counts = new int[5];
        for (int l : s.layoutLabels()) counts[l]++;
        assertArrayEquals(new int[]{8, 8, 3, 8, 8}, counts);
        // without a resize the differing image sizes are an error naming the odd file
        IllegalArgumentException e = org.junit.jupiter.api.Assertions.assertThrows(IllegalArgumentException.class,
                () -> ImageSource.open(dir, OpenOptions.NONE));
        assertTrue(e.getMessage().contains("PowderRecoat_20210909_143308.jpg") && e.getMessage().contains("1024x1024"), e.getMessage());
        // mean grey of a No_Defect image at full size is ~87.5 (SOURCE.txt)
        ImageSource one = ImageSource.open(dir.resolve("No_Defect/converted__0000.jpg"), OpenOptions.NONE);
        assertArrayEquals(new long[]{1, 1024, 1024}, one.info().shape());
        float[] v = all(one);
        assertEquals(87.5, sum(v) / v.length, 1.5);
    }
}
