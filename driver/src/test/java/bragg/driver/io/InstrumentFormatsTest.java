package bragg.driver.io;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * NanoMegas .blo, MRC 2014 and EDAX .ang on files written here from their published layouts:
 * detection by content (odd file names), header fields, values, and truncated or inconsistent
 * files rejected with the file and byte offset.
 */
class InstrumentFormatsTest {
    @TempDir
    Path dir;

    static void truncate(Path p, long size) throws IOException {
        try (FileChannel c = FileChannel.open(p, StandardOpenOption.WRITE)) {
            c.truncate(size);
        }
    }

    static void poke(Path p, long at, byte... b) throws IOException {
        try (FileChannel c = FileChannel.open(p, StandardOpenOption.WRITE)) {
            c.write(ByteBuffer.wrap(b), at);
        }
    }

    @Test
    void blockfileHeaderNavigatorAndFrames() throws IOException {
        Path f = InstrumentFixtures.blo(dir, "scan.dat", 3, 4, 8, "PED 0.5 deg, bragg test");
        assertEquals(FileKind.BLO, FileKind.of(f));
        SampleSource s = Sources.open(f, OpenOptions.NONE);
        ArrayInfo i = s.info();
        assertEquals("blo", i.format());
        assertArrayEquals(new long[]{3, 4, 8, 8}, i.shape());
        assertEquals(DType.U8, i.dtype());
        assertEquals(List.of("scan_y [nm]", "scan_x [nm]", "k_y [cm]", "k_x [cm]"), i.axes());
        assertEquals("12.5000", i.metadata().get("scan_rotation_deg"));
        assertEquals("4.50000", i.metadata().get("scan_step_x_nm"));
        assertEquals("5.00000", i.metadata().get("scan_step_y_nm"));
        assertEquals("200.000", i.metadata().get("beam_energy_kv"));
        assertEquals("120.000", i.metadata().get("camera_length_mm"));
        assertEquals("0.250000", i.metadata().get("pattern_pixel_cm"));
        assertEquals("2021-01-01T12:00", i.metadata().get("acquisition_time"));
        assertEquals("PED 0.5 deg, bragg test", i.metadata().get("note"));
        float[] nav = ((BloSource) s).navigator();
        for (int p = 0; p < 12; p++) assertEquals(p, nav[p]);
        float[] v = RealFilesTest.all(s);
        for (int p = 0; p < v.length; p++) assertEquals(Fixtures.value(p), v[p], "element " + p);
        // a slab inside the scan goes through the frame-header check at its own offsets
        float[] part = new float[2 * 64];
        try (SlabReader r = s.open()) {
            r.read(5, 2, part);
        }
        for (int p = 0; p < part.length; p++) assertEquals(Fixtures.value(5 * 64 + p), part[p]);
    }

    @Test
    void blockfileTruncatedOrCorruptFrameNamesFileAndOffset() throws IOException {
        Path f = InstrumentFixtures.blo(dir, "cut.blo", 2, 2, 8, "");
        long size = Files.size(f);
        truncate(f, size - 10);
        IOException e = assertThrows(IOException.class, () -> Sources.open(f, OpenOptions.NONE));
        assertTrue(e.getMessage().contains(f.toString()) && e.getMessage().contains("byte offset") && e.getMessage().contains("truncated")
                && e.getMessage().contains("frame 3 is incomplete"), e.getMessage());

        Path g = InstrumentFixtures.blo(dir, "bad.blo", 2, 2, 8, "");
        long off2 = 0x1000 + 4 + 4;   // navigator end 4100, plus 4100 % 16 as rsciio pads
        long frame2 = off2 + 2 * (6 + 64);
        poke(g, frame2, (byte) 0x00);
        SampleSource s = Sources.open(g, OpenOptions.NONE);
        IOException r = assertThrows(IOException.class, () -> RealFilesTest.all(s));
        assertTrue(r.getMessage().contains(g.toString()) && r.getMessage().contains("frame 2 at byte offset " + frame2), r.getMessage());
    }

    @Test
    void mrcModesByteOrdersAndExtendedHeader() throws IOException {
        for (int mode : new int[]{0, 1, 2, 6, 12}) {
            for (ByteOrder bo : new ByteOrder[]{ByteOrder.LITTLE_ENDIAN, ByteOrder.BIG_ENDIAN}) {
                Path f = InstrumentFixtures.mrc(dir, "stack-" + mode + "-" + bo + ".bin", 5, 4, 6, mode, bo, 96);
                assertEquals(FileKind.MRC, FileKind.of(f));
                SampleSource s = Sources.open(f, OpenOptions.NONE.withScan(new long[]{2, 3}));
                ArrayInfo i = s.info();
                assertEquals("mrc", i.format());
                assertArrayEquals(new long[]{2, 3, 4, 5}, i.shape());
                DType want = switch (mode) {
                    case 0 -> DType.I8;
                    case 1 -> DType.I16;
                    case 2 -> DType.F32;
                    case 6 -> DType.U16;
                    default -> DType.F16;
                };
                assertEquals(want, i.dtype(), "mode " + mode);
                assertEquals(mode == 0 ? "none" : bo == ByteOrder.BIG_ENDIAN ? "big" : "little", i.byteOrder());
                assertEquals(List.of("scan_y", "scan_x", "y [A]", "x [A]"), i.axes());
                assertEquals("96", i.metadata().get("extended_header_bytes"));
                assertEquals("1.50000 A", i.metadata().get("pixel_size_x"));
                assertEquals("bragg test stack", i.metadata().get("label0"));
                float[] v = RealFilesTest.all(s);
                for (int p = 0; p < v.length; p++) assertEquals(InstrumentFixtures.mrcValue(mode, p), v[p], "mode " + mode + " " + bo + " element " + p);
            }
        }
    }

    @Test
    void mrcTruncatedAndBadModeNameFileAndOffset() throws IOException {
        Path f = InstrumentFixtures.mrc(dir, "cut.mrc", 4, 4, 3, 2, ByteOrder.LITTLE_ENDIAN, 0);
        truncate(f, 1024 + 4 * 16 * 3 - 4);
        IOException e = assertThrows(IOException.class, () -> Sources.open(f, OpenOptions.NONE));
        assertTrue(e.getMessage().contains(f.toString()) && e.getMessage().contains("from byte offset 1024") && e.getMessage().contains("truncated"),
                e.getMessage());
        Path g = InstrumentFixtures.mrc(dir, "mode.mrc", 4, 4, 3, 2, ByteOrder.LITTLE_ENDIAN, 0);
        poke(g, 12, (byte) 4);
        IOException m = assertThrows(IOException.class, () -> Sources.open(g, OpenOptions.NONE));
        assertTrue(m.getMessage().contains(g.toString()) && m.getMessage().contains("byte offset 12") && m.getMessage().contains(" 4;"), m.getMessage());
    }

    @Test
    void halfFloatsDecode() {
        assertEquals(1f, DType.halfToFloat((short) 0x3C00));
        assertEquals(-2f, DType.halfToFloat((short) 0xC000));
        assertEquals(65504f, DType.halfToFloat((short) 0x7BFF));
        assertEquals(0x1p-24f, DType.halfToFloat((short) 0x0001));
        assertTrue(Float.isNaN(DType.halfToFloat((short) 0x7E00)));
        assertEquals(Float.POSITIVE_INFINITY, DType.halfToFloat((short) 0x7C00));
    }

    @Test
    void angCrystalMapAsData() throws IOException {
        Path f = InstrumentFixtures.ang(dir, "map.txt", 3, 4, "SqrGrid");
        assertEquals(FileKind.ANG, FileKind.of(f));
        AngMap m = AngMap.read(f);
        assertEquals(List.of("Nickel", "Titanium"), m.phaseNames());
        assertEquals("43", m.phases().get(0).symmetry());
        assertArrayEquals(new double[]{2.95, 2.95, 4.68, 90, 90, 120}, m.phases().get(1).lattice(), 1e-9);
        assertEquals(3, m.rows());
        assertEquals(4, m.cols());
        assertEquals(1.5, m.xStep());
        int[] lab = m.phaseLabels();
        for (int p = 0; p < 12; p++) assertEquals(p == 1 ? -1 : p % 3 == 0 ? 1 : 0, lab[p], "point " + p);

        SampleSource s = Sources.open(f, OpenOptions.NONE);
        ArrayInfo i = s.info();
        assertEquals("ang", i.format());
        assertArrayEquals(new long[]{1, 8, 3, 4}, i.shape());
        assertEquals(List.of("map", "field", "y [um]", "x [um]"), i.axes());
        assertEquals("phi1,Phi,phi2,iq,ci,phase_id,detector_signal,fit", i.metadata().get("fields"));
        assertTrue(i.metadata().get("phases").contains("2:Titanium symmetry 62"), i.metadata().get("phases"));
        float[] v = RealFilesTest.all(s);
        for (int p = 0; p < 12; p++) {
            assertEquals(0.02f * p, v[12 + p], 1e-5, "PHI of point " + p);
            assertEquals(100 + p, v[3 * 12 + p], 1e-5, "IQ of point " + p);
            assertEquals(p % 3 == 0 ? 2 : 1, v[5 * 12 + p], "phase of point " + p);
        }
    }

    @Test
    void angHexGridTruncatedAndBadPhaseAreClearErrors() throws IOException {
        Path hex = InstrumentFixtures.ang(dir, "hex.ang", 3, 4, "HexGrid");
        IllegalArgumentException h = assertThrows(IllegalArgumentException.class, () -> Sources.open(hex, OpenOptions.NONE));
        assertTrue(h.getMessage().contains(hex.toString()) && h.getMessage().contains("HexGrid") && h.getMessage().contains("not supported"), h.getMessage());

        Path cut = InstrumentFixtures.ang(dir, "cut.ang", 3, 4, "SqrGrid");
        List<String> lines = Files.readAllLines(cut);
        Files.write(cut, lines.subList(0, lines.size() - 2));
        IOException t = assertThrows(IOException.class, () -> Sources.open(cut, OpenOptions.NONE));
        assertTrue(t.getMessage().contains(cut.toString()) && t.getMessage().contains("12 points but the file holds 10")
                && t.getMessage().contains("byte offset"), t.getMessage());

        Path bad = InstrumentFixtures.ang(dir, "bad.ang", 3, 4, "SqrGrid");
        List<String> all = Files.readAllLines(bad);
        int last = all.size() - 1;
        all.set(last, all.get(last).replace(" 1 7000", " 5 7000").replace(" 2 7000", " 5 7000"));
        Files.write(bad, all);
        IOException p = assertThrows(IOException.class, () -> AngMap.read(bad).phaseLabels());
        assertTrue(p.getMessage().contains("point 11") && p.getMessage().contains("phase id 5"), p.getMessage());
    }
}
