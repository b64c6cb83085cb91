package bragg.driver.io;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * An MRC 2014 image stack (CCP-EM specification): a 1024-byte header, an extended header of
 * {@code NSYMBT} bytes, then NZ sections of NY x NX elements, row-major. 4D-STEM and EMPAD
 * pipelines write one section per scan position, so the sections are the samples (reshaped to
 * a scan by option scan). Header words used:
 * <pre>
 * 0 NX, 4 NY, 8 NZ, 12 MODE (int32)        28 MX, MY, MZ (int32)     40 CELLA x, y, z (float32, Angstrom)
 * 92 NSYMBT extended header bytes          104 EXTTYP (4 chars)      108 NVERSION (int32)
 * 208 "MAP "                               212 MACHST: 0x44 0x44 little-endian, 0x11 0x11 big-endian
 * 220 NLABL, 224 ten 80-character labels
 * </pre>
 * Modes: 0 int8, 1 int16, 2 float32, 6 uint16, 12 float16.
 */
public final class MrcSource implements SampleSource {
    static final int HEADER = 1024;

    private final ArrayInfo info;
    private final long dataStart;

    private MrcSource(ArrayInfo info, long dataStart) {
        this.info = info;
        this.dataStart = dataStart;
    }

    public static MrcSource open(Path file, OpenOptions opt) throws IOException {
        String f = file.toString();
        long size = Files.size(file);
        if (size < HEADER) {
            throw new IOException(f + ": MRC header needs " + HEADER + " bytes but the file ends at byte " + size + " (truncated file?)");
        }
        ByteBuffer h = ByteBuffer.allocate(HEADER);
        try (FileChannel ch = FileChannel.open(file, StandardOpenOption.READ)) {
            while (h.hasRemaining() && ch.read(h, h.position()) > 0) {
                // positional reads until the header is in
            }
        }
        h.flip();
        ByteOrder bo = byteOrder(f, h);
        h.order(bo);
        int nx = h.getInt(0);
        int ny = h.getInt(4);
        int nz = h.getInt(8);
        int mode = h.getInt(12);
        if (nx <= 0 || ny <= 0 || nz <= 0) {
            throw new IOException(f + ": MRC header bytes 0-11 give NX, NY, NZ = " + nx + ", " + ny + ", " + nz + "; each must be > 0");
        }
        DType dt = switch (mode) {
            case 0 -> DType.I8;
            case 1 -> DType.I16;
            case 2 -> DType.F32;
            case 6 -> DType.U16;
            case 12 -> DType.F16;
            default -> throw new IOException(f + ": MRC MODE at byte offset 12 is " + mode
                    + "; supported are 0 (int8), 1 (int16), 2 (float32), 6 (uint16) and 12 (float16)");
        };
        int nsymbt = h.getInt(92);
        if (nsymbt < 0) throw new IOException(f + ": MRC NSYMBT at byte offset 92 is " + nsymbt + ", expected extended header bytes >= 0");
        long start = HEADER + (long) nsymbt;
        long need = start + (long) nx * ny * nz * dt.size;
        if (size != need) {
            throw new IOException(f + ": MRC header declares " + nz + " sections of " + ny + "x" + nx + " " + dt.label() + " from byte offset " + start
                    + " (1024 + NSYMBT " + nsymbt + "), ending at byte " + need + ", but the file has " + size + " bytes"
                    + (size < need ? " (truncated file?)" : " (extra bytes after the data)"));
        }
        Map<String, String> meta = new LinkedHashMap<>();
        meta.put("mode", mode + (mode == 0 ? " (int8; MRC 2014 defines it signed, some older writers meant uint8)" : ""));
        meta.put("extended_header_bytes", Integer.toString(nsymbt));
        String exttyp = ascii(h, 104, 4);
        if (!exttyp.isEmpty()) meta.put("exttyp", exttyp);
        meta.put("nversion", Integer.toString(h.getInt(108)));
        int mx = h.getInt(28);
        int my = h.getInt(32);
        float cx = h.getFloat(40);
        float cy = h.getFloat(44);
        String ux = pixel(cx, mx);
        String uy = pixel(cy, my);
        if (ux != null) meta.put("pixel_size_x", ux + " A");
        if (uy != null) meta.put("pixel_size_y", uy + " A");
        int nlabl = Math.min(10, Math.max(0, h.getInt(220)));
        for (int i = 0; i < nlabl; i++) {
            String label = ascii(h, 224 + 80 * i, 80);
            if (!label.isEmpty()) meta.put("label" + i, label);
        }
        long[] shape = Shapes.withScan(f, new long[]{nz}, new int[]{ny, nx}, opt.scan());
        Shapes.checkDeclared(f, opt.shape(), shape);
        List<String> axes = new ArrayList<>();
        if (shape.length == 3) axes.add("section");
        else if (shape.length == 4) { axes.add("scan_y"); axes.add("scan_x"); }
        else for (int i = 0; i < shape.length - 2; i++) axes.add("pos" + i);
        axes.add(uy != null ? "y [A]" : "y");
        axes.add(ux != null ? "x [A]" : "x");
        String order = dt.size == 1 ? "none" : bo == ByteOrder.BIG_ENDIAN ? "big" : "little";
        return new MrcSource(new ArrayInfo("mrc", f, shape, 2, dt, order, axes, meta), start);
    }

    /**
     * MACHST at byte 212 says the byte order; files without one (zeros) are judged by which
     * order gives a known MODE.
     */
    private static ByteOrder byteOrder(String f, ByteBuffer h) throws IOException {
        int m0 = h.get(212) & 0xFF;
        if (m0 == 0x44) return ByteOrder.LITTLE_ENDIAN;
        if (m0 == 0x11) return ByteOrder.BIG_ENDIAN;
        int le = h.duplicate().order(ByteOrder.LITTLE_ENDIAN).getInt(12);
        int be = h.duplicate().order(ByteOrder.BIG_ENDIAN).getInt(12);
        if (List.of(0, 1, 2, 6, 12).contains(le)) return ByteOrder.LITTLE_ENDIAN;
        if (List.of(0, 1, 2, 6, 12).contains(be)) return ByteOrder.BIG_ENDIAN;
        throw new IOException(f + ": MRC MACHST at byte offset 212 is 0x" + Integer.toHexString(m0)
                + " (expected 0x44 little-endian or 0x11 big-endian) and MODE at offset 12 is no known mode in either byte order");
    }

    private static String pixel(float cell, int samples) {
        if (samples <= 0 || !(cell > 0) || !Float.isFinite(cell)) return null;
        return String.format(Locale.ROOT, "%.6g", cell / samples);
    }

    private static String ascii(ByteBuffer h, int at, int len) {
        byte[] b = new byte[len];
        h.get(at, b);
        return new String(b, StandardCharsets.US_ASCII).replace('\0', ' ').trim();
    }

    @Override
    public ArrayInfo info() {
        return info;
    }

    @Override
    public List<String> files() {
        return List.of(info.path());
    }

    @Override
    public SlabReader open() throws IOException {
        ByteOrder bo = "big".equals(info.byteOrder()) ? ByteOrder.BIG_ENDIAN : ByteOrder.LITTLE_ENDIAN;
        return new FramedBinaryReader(info.path(), dataStart, 0, info.sampleSize(), info.dtype(), bo, null);
    }
}
