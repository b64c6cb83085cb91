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

    /**
     * The pixel that a raw-mode fixture frame f holds at (y, x), in range for the counter depth
     * (24-bit values reach above 4096 so both 12-bit planes matter).
     */
    public static int rawPixel(int depth, int f, int y, int x, int w) {
        int v = (int) value(f * 7919 + y * w + x);
        return switch (depth) {
            case 1 -> v & 1;
            case 6 -> v & 63;
            case 12 -> v * 16 % 4096;
            default -> v * 40000 + 17;
        };
    }

    /**
     * A Merlin raw-mode (R64) .mib, encoded by the inverse of LiberTEM's per-byte decoders
     * (decode_r1/r6/r12/r24_swap and the quad variants), written out literally rather than
     * through the word rule the reader uses, so the test checks one against the other.
     */
    public static Path mibRaw(Path dir, String name, int frames, int h, int w, int depth, boolean quad) throws IOException {
        int unit = depth == 1 ? 1 : depth == 6 ? 8 : 16;
        int planes = depth == 24 ? 2 : 1;
        int dataBytes = planes * h * w * unit / 8;
        int headerBytes = quad ? 768 : 384;
        ByteBuffer b = ByteBuffer.allocate(frames * (headerBytes + dataBytes));
        for (int f = 0; f < frames; f++) {
            String hdr = String.format("MQ1,%06d,%05d,%02d,%04d,%04d,R64,   %s,00,2026-11-23 10:00:00.000000,0.001000,0,0,MQ1A,2026-11-23T10:00:00Z,1000000ns,%d,",
                    f + 1, headerBytes, quad ? 4 : 1, depth == 24 ? 2 * w : w, h, quad ? "2x2" : "1x1", depth);
            byte[] hb = new byte[headerBytes];
            System.arraycopy(hdr.getBytes(StandardCharsets.US_ASCII), 0, hb, 0, hdr.length());
            b.put(hb);
            byte[] data = new byte[dataBytes];
            int[][] pix = new int[h][w];
            for (int y = 0; y < h; y++) for (int x = 0; x < w; x++) pix[y][x] = rawPixel(depth, f, y, x, w);
            if (!quad) {
                int rowBytes = w * unit / 8;
                for (int p = 0; p < planes; p++) {
                    for (int y = 0; y < h; y++) {
                        int[] row = new int[w];
                        for (int x = 0; x < w; x++) row[x] = depth != 24 ? pix[y][x] : p == 0 ? pix[y][x] >> 12 : pix[y][x] & 0xFFF;
                        encodeRow(row, depth, data, p * h * rowBytes + y * rowBytes);
                    }
                }
            } else {
                int cw = w / 2;
                int chipRow = cw * unit / 8;
                for (int r = 0; r < h / 2; r++) {
                    int[][] chip = new int[4][cw];
                    for (int x = 0; x < cw; x++) {
                        chip[3][x] = pix[r][x];
                        chip[2][x] = pix[r][cw + x];
                        chip[1][x] = pix[h - 1 - r][cw - 1 - x];
                        chip[0][x] = pix[h - 1 - r][w - 1 - x];
                    }
                    for (int c = 0; c < 4; c++) encodeRow(chip[c], depth, data, r * 4 * chipRow + c * chipRow);
                }
            }
            b.put(data);
        }
        Path p = dir.resolve(name);
        Files.write(p, b.array());
        return p;
    }

    /** Inverse of LiberTEM's decode_r1_swap / decode_r6_swap / decode_r12_swap on one row. */
    private static void encodeRow(int[] row, int depth, byte[] out, int at) {
        if (depth == 1) {
            // decode: out[64s + 8b + k] = (inp[8s + 7 - b] >> k) & 1
            for (int i = 0; i < row.length; i++) {
                int s = i / 64, b = (i % 64) / 8, k = i % 8;
                out[at + 8 * s + 7 - b] |= (byte) ((row[i] & 1) << k);
            }
        } else if (depth == 6) {
            // decode: out[8 pos + 7 - col] = inp[8 pos + col]
            for (int i = 0; i < row.length; i++) out[at + i] = (byte) row[8 * (i / 8) + 7 - i % 8];
        } else {
            // decode: out[4 pos + 3 - col] = big-endian u16 number 4 pos + col
            for (int i = 0; i < row.length; i++) {
                int v = row[4 * (i / 4) + 3 - i % 4];
                out[at + 2 * i] = (byte) (v >> 8);
                out[at + 2 * i + 1] = (byte) v;
            }
        }
    }
}
