package bragg.driver.io;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.jhdf.HdfFile;
import io.jhdf.WritableHdfFile;
import io.jhdf.api.DatasetCreationOptions;
import io.jhdf.api.WritableDataset;
import io.jhdf.api.WritableGroup;
import java.io.IOException;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The HDF5 layouts on files written here with jhdf (chunked, shuffle + gzip, unsigned), so the
 * readers are checked even where ../shared is absent; values are Fixtures.value scaled.
 */
class Hdf5FixturesTest {
    @TempDir
    Path dir;

    /** value of element i, spread over the whole uint16 range so the sign bit is exercised */
    static int u16(int i) {
        return (int) Fixtures.value(i) * 257;
    }

    static short[][][][] cube(int a, int b, int h, int w) {
        short[][][][] d = new short[a][b][h][w];
        int i = 0;
        for (short[][][] x : d) for (short[][] y : x) for (short[] r : y) for (int c = 0; c < w; c++) r[c] = (short) u16(i++);
        return d;
    }

    static void assertU16(SampleSource s, int n) throws IOException {
        float[] v = RealFilesTest.all(s);
        assertEquals(n, v.length);
        for (int i = 0; i < n; i++) assertEquals(u16(i), v[i], "element " + i + " of " + s.info().path());
    }

    @Test
    void emd1ChunkedShuffleGzipUnsigned() throws IOException {
        Path f = dir.resolve("emd.h5");
        try (WritableHdfFile h = HdfFile.write(f)) {
            h.putAttribute("emd_group_type", "file");
            h.putAttribute("version_major", 1);
            h.putAttribute("version_minor", 0);
            WritableGroup root = h.putGroup("datacube_root");
            root.putAttribute("emd_group_type", "root");
            WritableGroup cube = root.putGroup("datacube");
            cube.putAttribute("emd_group_type", "array");
            cube.putAttribute("python_class", "DataCube");
            cube.putDataset("data", cube(3, 4, 6, 5), DatasetCreationOptions.builder().unsigned().chunkDimensions(1, 2, 6, 5).shuffle().deflate(6).build());
            String[] names = {"Rx", "Ry", "Qx", "Qy"};
            for (int i = 0; i < 4; i++) {
                WritableDataset d = cube.putDataset("dim" + i, new double[]{0, 0.5});
                d.putAttribute("name", names[i]);
                d.putAttribute("units", i < 2 ? "nm" : "A^-1");
            }
        }
        SampleSource s = Sources.open(f, OpenOptions.NONE);
        assertEquals("hdf5/emd1", s.info().format());
        assertArrayEquals(new long[]{3, 4, 6, 5}, s.info().shape());
        assertEquals(DType.U16, s.info().dtype());
        assertEquals(List.of("Rx [nm]", "Ry [nm]", "Qx [A^-1]", "Qy [A^-1]"), s.info().axes());
        assertTrue(s.info().metadata().get("filters").contains("shuffle") && s.info().metadata().get("filters").contains("deflate"),
                s.info().metadata().toString());
        assertU16(s, 3 * 4 * 30);
        // a slab that starts inside a chunk and crosses a scan row
        float[] part = new float[5 * 30];
        try (SlabReader r = s.open()) {
            r.read(3, 5, part);
        }
        for (int i = 0; i < part.length; i++) assertEquals(u16(90 + i), part[i]);
    }

    @Test
    void fpdLayoutSqueezesTheFrameAxis() throws IOException {
        Path f = dir.resolve("fpd.hdf5");
        short[][][][][] d = new short[2][3][1][4][4];
        int i = 0;
        for (short[][][][] a : d) for (short[][][] b : a) for (short[] r : b[0]) for (int c = 0; c < 4; c++) r[c] = (short) u16(i++);
        try (WritableHdfFile h = HdfFile.write(f)) {
            h.putAttribute("fpd_version", "0.3.0");
            WritableGroup data = h.putGroup("fpd_expt").putGroup("fpd_data");
            data.putAttribute("emd_group_type", 1);
            data.putDataset("data", d, DatasetCreationOptions.builder().unsigned().chunkDimensions(1, 1, 1, 4, 4).shuffle().deflate(4).build());
        }
        SampleSource s = Sources.open(f, OpenOptions.NONE);
        assertEquals("hdf5/fpd", s.info().format());
        assertArrayEquals(new long[]{2, 3, 4, 4}, s.info().shape());
        assertEquals("0.3.0", s.info().metadata().get("fpd_version"));
        assertU16(s, 96);
    }

    @Test
    void h5ebsdReshapesByHeaderAndChecksIt() throws IOException {
        Path f = dir.resolve("ebsd.h5");
        byte[][][] p = new byte[6][5][5];
        int i = 0;
        for (byte[][] a : p) for (byte[] r : a) for (int c = 0; c < 5; c++) r[c] = (byte) Fixtures.value(i++);
        writeEbsd(f, p, 2, 3);
        SampleSource s = Sources.open(f, OpenOptions.NONE);
        assertEquals("hdf5/h5ebsd", s.info().format());
        assertArrayEquals(new long[]{2, 3, 5, 5}, s.info().shape());
        assertEquals(DType.U8, s.info().dtype());
        assertEquals("1.5", s.info().metadata().get("step_x"));
        GeneratedFixturesTest.assertValues(s, 150);
        Path bad = dir.resolve("ebsd-bad.h5");
        writeEbsd(bad, p, 2, 2);
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> Sources.open(bad, OpenOptions.NONE));
        assertTrue(e.getMessage().contains("ebsd-bad.h5") && e.getMessage().contains("n_rows x n_columns = 2 x 2 = 4")
                && e.getMessage().contains("holds 6 patterns"), e.getMessage());
    }

    private static void writeEbsd(Path f, byte[][][] patterns, int rows, int cols) {
        try (WritableHdfFile h = HdfFile.write(f)) {
            WritableGroup ebsd = h.putGroup("Scan 1").putGroup("EBSD");
            ebsd.putGroup("Data").putDataset("patterns", patterns, DatasetCreationOptions.builder().unsigned().build());
            WritableGroup hdr = ebsd.putGroup("Header");
            hdr.putDataset("n_rows", new int[]{rows});
            hdr.putDataset("n_columns", new int[]{cols});
            hdr.putDataset("step_x", new double[]{1.5});
        }
    }

    @Test
    void anyDatasetByPathAndMissingPathsListWhatIsThere() throws IOException {
        Path f = dir.resolve("plain.h5");
        float[][][] v = new float[4][3][2];
        int i = 0;
        for (float[][] a : v) for (float[] r : a) for (int c = 0; c < 2; c++) r[c] = Fixtures.value(i++);
        try (WritableHdfFile h = HdfFile.write(f)) {
            h.putGroup("entry").putDataset("frames", v);
        }
        IllegalArgumentException none = assertThrows(IllegalArgumentException.class, () -> Sources.open(f, OpenOptions.NONE));
        assertTrue(none.getMessage().contains("plain.h5") && none.getMessage().contains("no known layout")
                && none.getMessage().contains("/entry/frames [4, 3, 2]"), none.getMessage());
        SampleSource s = Sources.open(f, OpenOptions.NONE.withDataset("/entry/frames"));
        assertEquals("hdf5", s.info().format());
        assertArrayEquals(new long[]{4, 3, 2}, s.info().shape());
        assertEquals(DType.F32, s.info().dtype());
        GeneratedFixturesTest.assertValues(s, 24);
        IllegalArgumentException group = assertThrows(IllegalArgumentException.class, () -> Sources.open(f, OpenOptions.NONE.withDataset("entry")));
        assertTrue(group.getMessage().contains("'entry' is a group"), group.getMessage());
    }
}
