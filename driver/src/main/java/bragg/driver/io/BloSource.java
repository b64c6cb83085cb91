package bragg.driver.io;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.LocalDateTime;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * A NanoMegas ASTAR/TopSpin blockfile (.blo): precession electron diffraction scans. Layout as
 * read and written by rosettasciio (rsciio/blockfile), little-endian, packed:
 * <pre>
 * 0 "IMGBLO"   6 MAGIC u2 (0x0102)   8 Data_offset_1 u4 (navigator)   12 Data_offset_2 u4 (frames)
 * 16 flags u4  20 DP_SZ u2 (pattern side)   22 DP_rotation u2   24 NX u2   26 NY u2
 * 28 Scan_rotation u2 (1/100 degree)   30 SX f8, 38 SY f8 (scan step, nm)   46 Beam_energy u4 (V)
 * 50 SDP u2 (100 x pixels per cm)   52 Camera_length u4 (1/10 mm)   56 Acquisition_time f8 (days since 1899-12-30)
 * 64 8 centring + 14 distortion f8   240 .. Data_offset_1: the free-text note, zero padded
 * Data_offset_1: virtual bright field, NY x NX u8
 * Data_offset_2: NY x NX frames, each 0xAA 0x55, frame number u4, DP_SZ x DP_SZ u8
 * </pre>
 */
public final class BloSource implements SampleSource {
    static final int HEADER = 240;
    static final int FRAME_HEADER = 6;

    private final ArrayInfo info;
    private final long navigatorStart;
    private final long framesStart;

    private BloSource(ArrayInfo info, long navigatorStart, long framesStart) {
        this.info = info;
        this.navigatorStart = navigatorStart;
        this.framesStart = framesStart;
    }

    public static BloSource open(Path file, OpenOptions opt) throws IOException {
        String f = file.toString();
        long size = Files.size(file);
        if (size < HEADER) throw new IOException(f + ": blockfile header needs " + HEADER + " bytes but the file ends at byte " + size + " (truncated file?)");
        ByteBuffer h = ByteBuffer.allocate(HEADER).order(ByteOrder.LITTLE_ENDIAN);
        readFully(file, h, 0);
        int magic = h.getShort(6) & 0xFFFF;
        long off1 = h.getInt(8) & 0xFFFFFFFFL;
        long off2 = h.getInt(12) & 0xFFFFFFFFL;
        int dp = h.getShort(20) & 0xFFFF;
        int nx = h.getShort(24) & 0xFFFF;
        int ny = h.getShort(26) & 0xFFFF;
        if (dp == 0 || nx == 0 || ny == 0) {
            throw new IOException(f + ": blockfile header gives pattern size DP_SZ (byte offset 20) " + dp + ", scan NX (24) " + nx
                    + ", NY (26) " + ny + "; each must be > 0");
        }
        if (off1 < HEADER || off1 + (long) nx * ny > off2) {
            throw new IOException(f + ": blockfile Data_offset_1 (byte offset 8) = " + off1 + " and Data_offset_2 (byte offset 12) = " + off2
                    + " leave no room for the " + ny + "x" + nx + " navigator between the " + HEADER + "-byte header and the frames");
        }
        long stride = FRAME_HEADER + (long) dp * dp;
        long need = off2 + (long) nx * ny * stride;
        if (size != need) {
            throw new IOException(f + ": blockfile header declares " + ny + "x" + nx + " frames of " + dp + "x" + dp + " u8 (+6-byte frame headers) from byte offset "
                    + off2 + ", ending at byte " + need + ", but the file has " + size + " bytes"
                    + (size < off2 ? " (truncated file?): it ends before the first frame"
                    : size < need ? " (truncated file?): frame " + (size - off2) / stride + " is incomplete" : " (extra bytes after the last frame)"));
        }
        ByteBuffer note = ByteBuffer.allocate((int) (off1 - HEADER));
        readFully(file, note, HEADER);
        Map<String, String> meta = new LinkedHashMap<>();
        meta.put("magic", String.format(Locale.ROOT, "0x%04x%s", magic, magic == 0x0102 ? "" : " (not the usual 0x0102)"));
        meta.put("data_offset_navigator", Long.toString(off1));
        meta.put("data_offset_frames", Long.toString(off2));
        meta.put("dp_rotation", Integer.toString(h.getShort(22) & 0xFFFF));
        meta.put("scan_rotation_deg", num((h.getShort(28) & 0xFFFF) / 100.0));
        double sx = h.getDouble(30);
        double sy = h.getDouble(38);
        meta.put("scan_step_x_nm", num(sx));
        meta.put("scan_step_y_nm", num(sy));
        meta.put("beam_energy_kv", num((h.getInt(46) & 0xFFFFFFFFL) / 1000.0));
        int sdp = h.getShort(50) & 0xFFFF;
        if (sdp > 0) meta.put("pattern_pixel_cm", num(100.0 / sdp));
        meta.put("camera_length_mm", num((h.getInt(52) & 0xFFFFFFFFL) / 10.0));
        meta.put("acquisition_time", serialDate(h.getDouble(56)));
        String text = new String(note.array(), StandardCharsets.ISO_8859_1).replace("\0", "").trim();
        if (!text.isEmpty()) meta.put("note", text);
        meta.put("navigator", "virtual bright field " + ny + "x" + nx + " u8 at byte offset " + off1);
        long[] shape = Shapes.withScan(f, new long[]{ny, nx}, new int[]{dp, dp}, opt.scan());
        Shapes.checkDeclared(f, opt.shape(), shape);
        List<String> axes = shape.length == 4 ? List.of("scan_y [nm]", "scan_x [nm]", "k_y [cm]", "k_x [cm]") : positional(shape.length);
        return new BloSource(new ArrayInfo("blo", f, shape, 2, DType.U8, "none", axes, meta), off1, off2);
    }

    private static List<String> positional(int rank) {
        String[] a = new String[rank];
        for (int i = 0; i < rank - 2; i++) a[i] = "pos" + i;
        a[rank - 2] = "k_y [cm]";
        a[rank - 1] = "k_x [cm]";
        return List.of(a);
    }

    private static void readFully(Path file, ByteBuffer b, long at) throws IOException {
        try (FileChannel ch = FileChannel.open(file, StandardOpenOption.READ)) {
            long pos = at;
            while (b.hasRemaining()) {
                int n = ch.read(b, pos);
                if (n < 0) throw new IOException(file + ": file ends at byte " + pos + " inside the blockfile header (truncated file?)");
                pos += n;
            }
        }
        b.flip();
    }

    private static String num(double v) {
        return String.format(Locale.ROOT, "%.6g", v);
    }

    /** The header's serial date (days since 1899-12-30, as spreadsheets count) as ISO local time. */
    static String serialDate(double days) {
        if (!Double.isFinite(days)) return "unknown (" + days + ")";
        long seconds = Math.round(days * 86400.0);
        return LocalDateTime.of(1899, 12, 30, 0, 0).plusSeconds(seconds).toString();
    }

    /** The virtual bright-field image stored with the scan, [NY * NX] row-major. */
    public float[] navigator() throws IOException {
        long[] pos = info.positionShape();
        int n = Math.toIntExact(Shapes.product(pos));
        ByteBuffer b = ByteBuffer.allocate(n);
        readFully(Path.of(info.path()), b, navigatorStart);
        float[] out = new float[n];
        DType.U8.decode(b, out, 0, n);
        return out;
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
        return new Reader(new FramedBinaryReader(info.path(), framesStart, FRAME_HEADER, info.sampleSize(), DType.U8, ByteOrder.LITTLE_ENDIAN, null));
    }

    /** Checks each frame's header (0xAA 0x55 and its frame number) before handing out the pixels. */
    private final class Reader implements SlabReader {
        private final FramedBinaryReader frames;

        Reader(FramedBinaryReader frames) {
            this.frames = frames;
        }

        @Override
        public StoredSlab readStored(long first, int count) throws IOException {
            StoredSlab s = frames.readStored(first, count);
            ByteBuffer b = s.bytes().duplicate().order(ByteOrder.LITTLE_ENDIAN);
            for (int i = 0; i < count; i++) {
                int at = s.sampleStart(i) - FRAME_HEADER;
                int m0 = b.get(at) & 0xFF;
                int m1 = b.get(at + 1) & 0xFF;
                long id = b.getInt(at + 2) & 0xFFFFFFFFL;
                if (m0 != 0xAA || m1 != 0x55 || id != first + i) {
                    long offset = framesStart + (first + i) * (long) s.stride();
                    throw new IOException(info.path() + ": blockfile frame " + (first + i) + " at byte offset " + offset
                            + " should start with AA 55 and frame number " + (first + i) + " but has "
                            + String.format(Locale.ROOT, "%02X %02X", m0, m1) + " and frame number " + id + " (file corrupt or header sizes wrong)");
                }
            }
            return s;
        }

        @Override
        public void read(long first, int count, float[] out) throws IOException {
            StoredSlab s = readStored(first, count);
            int ss = info.sampleSize();
            ByteBuffer b = s.bytes();
            for (int i = 0; i < count; i++) {
                b.position(s.sampleStart(i));
                DType.U8.decode(b, out, i * ss, ss);
            }
        }

        @Override
        public void close() throws IOException {
            frames.close();
        }
    }
}
