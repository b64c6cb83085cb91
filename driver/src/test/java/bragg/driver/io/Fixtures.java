package bragg.driver.io;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;

/** Small hand-made files in the formats the readers take, with known values. */
public final class Fixtures {
    private Fixtures() {
    }

    /** value of element i of a fixture: distinct, exact in every dtype up to 255 */
    public static float value(int i) {
        return (i * 7 + 3) % 251;
    }

    /** A .npy of the given version, byte order and memory order holding value(i) in C order. */
    public static Path npy(Path dir, String name, int major, String descr, boolean fortran, long[] shape) throws IOException {
        int n = 1;
        for (long d : shape) n *= (int) d;
        String kind = descr.substring(1);
        ByteOrder bo = descr.charAt(0) == '>' ? ByteOrder.BIG_ENDIAN : ByteOrder.LITTLE_ENDIAN;
        int size = Integer.parseInt(kind.substring(1));
        StringBuilder sh = new StringBuilder("(");
        for (long d : shape) sh.append(d).append(", ");
        sh.append(")");
        String dict = "{'descr': '" + descr + "', 'fortran_order': " + (fortran ? "True" : "False") + ", 'shape': " + sh + ", }";
        int pre = major == 1 ? 10 : 12;
        int total = ((pre + dict.length() + 1 + 63) / 64) * 64;
        String h = String.format("%-" + (total - pre - 1) + "s", dict) + "\n";
        ByteBuffer b = ByteBuffer.allocate(total + n * size).order(ByteOrder.LITTLE_ENDIAN);
        b.put(new byte[]{(byte) 0x93, 'N', 'U', 'M', 'P', 'Y', (byte) major, 0});
        if (major == 1) b.putShort((short) h.length()); else b.putInt(h.length());
        b.put(h.getBytes(StandardCharsets.UTF_8));
        b.order(bo);
        // element at C index i goes to its Fortran position when fortran
        for (int f = 0; f < n; f++) {
            int c = fortran ? fortranToC(f, shape) : f;
            float v = value(c);
            switch (kind) {
                case "u1" -> b.put((byte) v);
                case "u2" -> b.putShort((short) v);
                case "u4" -> b.putInt((int) v);
                case "f4" -> b.putFloat(v);
                case "f8" -> b.putDouble(v);
                default -> throw new IllegalArgumentException(kind);
            }
        }
        Path p = dir.resolve(name);
        Files.write(p, b.array());
        return p;
    }

    private static int fortranToC(int f, long[] shape) {
        int[] idx = new int[shape.length];
        for (int i = 0; i < shape.length; i++) {
            idx[i] = (int) (f % shape[i]);
            f /= (int) shape[i];
        }
        int c = 0;
        for (int i = 0; i < shape.length; i++) c = c * (int) shape[i] + idx[i];
        return c;
    }

    /** A Merlin .mib with frames of value(i) per frame pixel, headers padded to headerBytes. */
    public static Path mib(Path dir, String name, int frames, int h, int w, String type, int headerBytes, int chips) throws IOException {
        int bpp = type.equals("U08") ? 1 : type.equals("U16") ? 2 : 4;
        ByteBuffer b = ByteBuffer.allocate(frames * (headerBytes + h * w * bpp)).order(ByteOrder.BIG_ENDIAN);
        for (int f = 0; f < frames; f++) {
            String hdr = String.format("MQ1,%06d,%05d,%02d,%04d,%04d,%s,   %s,00,2026-11-23 10:00:00.000000,0.001000,0,0,", f + 1, headerBytes, chips, w, h, type,
                    chips == 4 ? "2x2" : "1x1");
            byte[] hb = new byte[headerBytes];
            java.util.Arrays.fill(hb, (byte) ' ');
            System.arraycopy(hdr.getBytes(StandardCharsets.US_ASCII), 0, hb, 0, hdr.length());
            b.put(hb);
            for (int i = 0; i < h * w; i++) {
                int v = (int) value(f * h * w + i);
                if (bpp == 1) b.put((byte) v); else if (bpp == 2) b.putShort((short) v); else b.putInt(v);
            }
        }
        Path p = dir.resolve(name);
        Files.write(p, b.array());
        return p;
    }
}
