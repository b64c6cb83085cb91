package bragg.driver.io;

import bragg.driver.shards.PatternCodec;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Locale;

/**
 * Instrument files written from the published layouts (rosettasciio's blockfile writer, the
 * CCP-EM MRC 2014 specification, orix's .ang writer), holding Fixtures.value(i) at element i.
 */
public final class InstrumentFixtures {
    private InstrumentFixtures() {
    }

    /** A blockfile of ny x nx frames of dp x dp u8, the navigator holding each frame's index. */
    public static Path blo(Path dir, String name, int ny, int nx, int dp, String note) throws IOException {
        int off1 = 0x1000;
        int off2 = off1 + nx * ny;
        off2 += off2 % 16;       // rsciio's padding rule
        int stride = 6 + dp * dp;
        ByteBuffer b = ByteBuffer.allocate(off2 + nx * ny * stride).order(ByteOrder.LITTLE_ENDIAN);
        b.put("IMGBLO".getBytes(StandardCharsets.US_ASCII));
        b.putShort(6, (short) 0x0102);
        b.putInt(8, off1);
        b.putInt(12, off2);
        b.putInt(16, 131141);
        b.putShort(20, (short) dp);
        b.putShort(22, (short) 0);
        b.putShort(24, (short) nx);
        b.putShort(26, (short) ny);
        b.putShort(28, (short) 1250);          // 12.5 degrees
        b.putDouble(30, 4.5);                  // SX nm
        b.putDouble(38, 5.0);                  // SY nm
        b.putInt(46, 200000);                  // 200 kV
        b.putShort(50, (short) 400);           // 0.25 cm per pixel
        b.putInt(52, 1200);                    // 120 mm
        b.putDouble(56, 44197.5);              // 2021-01-01T12:00
        b.put(240, note.getBytes(StandardCharsets.ISO_8859_1));
        for (int i = 0; i < nx * ny; i++) b.put(off1 + i, (byte) i);
        int v = 0;
        for (int f = 0; f < nx * ny; f++) {
            int at = off2 + f * stride;
            b.put(at, (byte) 0xAA).put(at + 1, (byte) 0x55).putInt(at + 2, f);
            for (int p = 0; p < dp * dp; p++) b.put(at + 6 + p, (byte) Fixtures.value(v++));
        }
        Path p = dir.resolve(name);
        Files.write(p, b.array());
        return p;
    }

    /** An MRC 2014 stack of nz sections ny x nx in the given mode and byte order, with an extended header. */
    public static Path mrc(Path dir, String name, int nx, int ny, int nz, int mode, ByteOrder order, int extended) throws IOException {
        int es = switch (mode) {
            case 0 -> 1;
            case 1, 6, 12 -> 2;
            case 2 -> 4;
            default -> throw new IllegalArgumentException("mode " + mode);
        };
        int n = nx * ny * nz;
        ByteBuffer b = ByteBuffer.allocate(1024 + extended + n * es).order(order);
        b.putInt(0, nx).putInt(4, ny).putInt(8, nz).putInt(12, mode);
        b.putInt(28, nx).putInt(32, ny).putInt(36, nz);
        b.putFloat(40, 1.5f * nx).putFloat(44, 1.5f * ny).putFloat(48, 1.5f * nz);   // 1.5 A pixels
        b.putInt(64, 1).putInt(68, 2).putInt(72, 3);
        b.putInt(92, extended);
        b.put(104, "MRCO".getBytes(StandardCharsets.US_ASCII));
        b.putInt(108, 20140);
        b.put(208, "MAP ".getBytes(StandardCharsets.US_ASCII));
        if (order == ByteOrder.LITTLE_ENDIAN) b.put(212, (byte) 0x44).put(213, (byte) 0x44);
        else b.put(212, (byte) 0x11).put(213, (byte) 0x11);
        b.putInt(220, 1);
        b.put(224, "bragg test stack".getBytes(StandardCharsets.US_ASCII));
        for (int i = 0; i < extended; i++) b.put(1024 + i, (byte) 0x7F);   // must be skipped, not read as data
        int at = 1024 + extended;
        for (int i = 0; i < n; i++) {
            float v = Fixtures.value(i);
            switch (mode) {
                case 0 -> b.put(at + i, (byte) (v - 128));
                case 1 -> b.putShort(at + 2 * i, (short) (v * 100 - 12000));
                case 6 -> b.putShort(at + 2 * i, (short) (v * 257));
                case 2 -> b.putFloat(at + 4 * i, v / 4f);
                case 12 -> b.putShort(at + 2 * i, PatternCodec.toHalf(v / 4f));
                default -> throw new AssertionError();
            }
        }
        Path p = dir.resolve(name);
        Files.write(p, b.array());
        return p;
    }

    /** The value mode m stores for element i (what the reader must return). */
    public static float mrcValue(int mode, int i) {
        float v = Fixtures.value(i);
        return switch (mode) {
            case 0 -> v - 128;
            case 1 -> v * 100 - 12000;
            case 6 -> v * 257;
            case 2, 12 -> v / 4f;    // quarters are exact in float16 up to 512
            default -> throw new AssertionError();
        };
    }

    /**
     * An orix-style .ang of rows x cols points on a square grid with two phases (ids 1, 2): point
     * i is phase 1 + (i % 3 == 0 ? 1 : 0), Euler angles (0.01 i, 0.02 i, 0.03 i), CI -1 at point 1.
     */
    public static Path ang(Path dir, String name, int rows, int cols, String grid) throws IOException {
        StringBuilder s = new StringBuilder();
        s.append("# TEM_PIXperUM          1.000000\n# x-star                0.500000\n# y-star                0.500000\n");
        s.append("# z-star                0.600000\n# WorkingDistance       15.000000\n#\n");
        phase(s, 1, "Nickel", "Ni", 43, "3.520 3.520 3.520  90.000  90.000  90.000");
        phase(s, 2, "Titanium", "Ti", 62, "2.950 2.950 4.680  90.000  90.000 120.000");
        s.append("# GRID: ").append(grid).append("\n# XSTEP: 1.500000\n# YSTEP: 2.000000\n");
        s.append("# NCOLS_ODD: ").append(cols).append("\n# NCOLS_EVEN: ").append(cols).append("\n# NROWS: ").append(rows).append("\n#\n");
        s.append("# OPERATOR: \tbragg\n# SAMPLEID: \t\n# SCANID: \t\n#\n");
        for (int i = 0; i < rows * cols; i++) {
            int phase = i % 3 == 0 ? 2 : 1;
            float ci = i == 1 ? -1f : 0.5f + 0.01f * i;
            s.append(String.format(Locale.ROOT, "  %.5f %.5f %.5f %.5f %.5f %.1f %.3f %d %d %.3f%n",
                    0.01 * i, 0.02 * i, 0.03 * i, 1.5 * (i % cols), 2.0 * (i / cols), 100.0 + i, ci, phase, 7000, 0.8));
        }
        Path p = dir.resolve(name);
        Files.writeString(p, s.toString(), StandardCharsets.ISO_8859_1);
        return p;
    }

    private static void phase(StringBuilder s, int id, String name, String formula, int symmetry, String lattice) {
        s.append("# Phase ").append(id).append("\n# MaterialName  \t").append(name).append("\n# Formula     \t").append(formula)
                .append("\n# Info \t\t\n# Symmetry              ").append(symmetry).append("\n# LatticeConstants      ").append(lattice)
                .append("\n# NumberFamilies        1\n# hklFamilies   \t 1  1  1 1 0.000000 1\n# Categories 0 0 0 0 0\n#\n");
    }
}
