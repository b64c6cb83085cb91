package bragg.driver.io;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The header of a NumPy .npy file (format versions 1.0, 2.0 and 3.0): magic "\x93NUMPY",
 * version, header length (2 bytes in v1, 4 in v2/v3), then a Python dict literal with
 * 'descr', 'fortran_order' and 'shape'.
 */
public record NpyHeader(DType dtype, boolean bigEndian, boolean fortran, long[] shape, long dataOffset, int major) implements java.io.Serializable {

    /** Byte order of the elements. */
    public ByteOrder order() {
        return bigEndian ? ByteOrder.BIG_ENDIAN : ByteOrder.LITTLE_ENDIAN;
    }

    static final byte[] MAGIC = {(byte) 0x93, 'N', 'U', 'M', 'P', 'Y'};
    private static final Pattern DESCR = Pattern.compile("'descr'\\s*:\\s*'([<>|=])([a-zA-Z])(\\d+)'");
    private static final Pattern FORTRAN = Pattern.compile("'fortran_order'\\s*:\\s*(True|False)");
    private static final Pattern SHAPE = Pattern.compile("'shape'\\s*:\\s*\\(([^)]*)\\)");

    public static NpyHeader read(Path file) throws IOException {
        try (FileChannel ch = FileChannel.open(file, StandardOpenOption.READ)) {
            ByteBuffer pre = ByteBuffer.allocate(12).order(ByteOrder.LITTLE_ENDIAN);
            ch.read(pre, 0);
            pre.flip();
            if (pre.remaining() < 10) throw new IOException(file + ": " + ch.size() + " bytes is too short for a .npy header (needs at least 10)");
            for (int i = 0; i < MAGIC.length; i++) {
                if (pre.get(i) != MAGIC[i]) throw new IOException(file + ": bytes 0-5 are not the .npy magic \\x93NUMPY");
            }
            int major = pre.get(6);
            int headerLen;
            int pos;
            if (major == 1) {
                headerLen = pre.getShort(8) & 0xFFFF;
                pos = 10;
            } else if (major == 2 || major == 3) {
                if (pre.remaining() < 12) throw new IOException(file + ": truncated .npy v" + major + " header");
                headerLen = pre.getInt(8);
                pos = 12;
                if (headerLen < 0) {
                    throw new IOException(file + ": .npy v" + major + " header length (bytes 8-11) is " + headerLen
                            + ", expected 0.." + (ch.size() - pos) + " (the bytes left after the length field)");
                }
            } else {
                throw new IOException(file + ": .npy format version " + major + " at byte 6 is not 1, 2 or 3");
            }
            if (pos + (long) headerLen > ch.size()) {
                throw new IOException(file + ": .npy header says " + headerLen + " header bytes but the file has only " + ch.size() + " bytes");
            }
            ByteBuffer hb = ByteBuffer.allocate(headerLen);
            ch.read(hb, pos);
            String dict = new String(hb.array(), major == 3 ? StandardCharsets.UTF_8 : StandardCharsets.ISO_8859_1);
            return parse(file.toString(), dict, pos + headerLen, major);
        }
    }

    static NpyHeader parse(String file, String dict, long dataOffset, int major) {
        Matcher d = DESCR.matcher(dict);
        Matcher f = FORTRAN.matcher(dict);
        Matcher s = SHAPE.matcher(dict);
        if (!d.find() || !f.find() || !s.find()) {
            throw new IllegalArgumentException(file + ": .npy header dict lacks 'descr', 'fortran_order' or 'shape': " + dict.trim());
        }
        String kind = d.group(2);
        int bytes = Integer.parseInt(d.group(3));
        DType t = switch (kind + bytes) {
            case "u1", "b1" -> DType.U8;
            case "i1" -> DType.I8;
            case "u2" -> DType.U16;
            case "i2" -> DType.I16;
            case "u4" -> DType.U32;
            case "i4" -> DType.I32;
            case "i8" -> DType.I64;
            case "f4" -> DType.F32;
            case "f8" -> DType.F64;
            default -> throw new IllegalArgumentException(file + ": .npy dtype '" + d.group() + "' is not supported (u1, i1, u2, i2, u4, i4, i8, f4, f8)");
        };
        boolean big = d.group(1).equals(">") || d.group(1).equals("=") && ByteOrder.nativeOrder() == ByteOrder.BIG_ENDIAN;
        long[] shape = shape(file, s.group(1));
        dataBytes(file, shape, t);
        return new NpyHeader(t, big, f.group(1).equals("True"), shape, dataOffset, major);
    }

    /** The dimensions of the header's 'shape' tuple, each a non-negative integer. */
    private static long[] shape(String file, String tuple) {
        List<Long> dims = new ArrayList<>();
        String[] parts = tuple.split(",");
        for (int i = 0; i < parts.length; i++) {
            String p = parts[i].trim();
            if (p.isEmpty()) {
                continue; // the trailing comma of a 1-tuple
            }
            long d;
            try {
                d = Long.parseLong(p.endsWith("L") ? p.substring(0, p.length() - 1) : p);
            } catch (NumberFormatException e) {
                throw new IllegalArgumentException(file + ": .npy header field 'shape' dimension " + dims.size() + " is '" + p
                        + "', expected a non-negative integer (shape (" + tuple.trim() + "))");
            }
            if (d < 0) {
                throw new IllegalArgumentException(file + ": .npy header field 'shape' dimension " + dims.size() + " is " + d
                        + ", expected a non-negative integer (shape (" + tuple.trim() + "))");
            }
            dims.add(d);
        }
        return dims.stream().mapToLong(Long::longValue).toArray();
    }

    /** Bytes of the data the header declares; an error naming the shape when that is not a long. */
    static long dataBytes(String file, long[] shape, DType t) {
        try {
            return Math.multiplyExact(Shapes.product(shape), (long) t.size);
        } catch (ArithmeticException e) {
            throw new IllegalArgumentException(file + ": .npy header field 'shape' " + Arrays.toString(shape) + " of "
                    + t.label() + " declares more than " + Long.MAX_VALUE + " bytes, expected a size a file can have");
        }
    }

    /** Bytes of this header's data. */
    public long dataBytes() {
        return dataBytes("", shape, dtype);
    }

    /** The header bytes (v1 when it fits, else v2) for an array, padded so data start 64-byte aligned. */
    public static byte[] encode(DType dtype, ByteOrder order, long[] shape) {
        String descr = (dtype.size == 1 ? "|" : order == ByteOrder.BIG_ENDIAN ? ">" : "<") + switch (dtype) {
            case U8 -> "u1"; case I8 -> "i1"; case U16 -> "u2"; case I16 -> "i2"; case U32 -> "u4"; case I32 -> "i4";
            case I64 -> "i8"; case F16 -> "f2"; case F32 -> "f4"; case F64 -> "f8";
        };
        StringBuilder sh = new StringBuilder();
        for (long d : shape) sh.append(d).append(", ");
        String shp = shape.length == 1 ? "(" + shape[0] + ",)" : "(" + (shape.length == 0 ? "" : sh.substring(0, sh.length() - 2)) + ")";
        String dict = "{'descr': '" + descr + "', 'fortran_order': False, 'shape': " + shp + ", }";
        int major = dict.length() + 11 > 65535 ? 2 : 1;
        int pre = major == 1 ? 10 : 12;
        int total = ((pre + dict.length() + 1 + 63) / 64) * 64;
        StringBuilder h = new StringBuilder(dict);
        while (pre + h.length() + 1 < total) h.append(' ');
        h.append('\n');
        ByteBuffer b = ByteBuffer.allocate(total).order(ByteOrder.LITTLE_ENDIAN);
        b.put(MAGIC).put((byte) major).put((byte) 0);
        if (major == 1) b.putShort((short) h.length()); else b.putInt(h.length());
        b.put(h.toString().getBytes(StandardCharsets.ISO_8859_1));
        return b.array();
    }
}
