package bragg.driver.io;

import java.io.Serializable;
import java.nio.ByteBuffer;

/**
 * Pixels of a Merlin frame in raw mode (header type R64): the chips' readout as it left the
 * detector, not yet assembled. Rules as decoded by LiberTEM (libertem/io/dataset/mib.py):
 * <pre>
 * each chip row is a run of 64-bit words; read a word big-endian and pixel q of the word is
 * its q-th lowest unit: 1 bit (depth 1), 8 bits (depth 6, one byte per pixel), 16 bits (depth 12)
 *   -> pixel 64/u * word + q = (word >>> (q * u)) & (2^u - 1)
 * depth 24 (single chip only): two such 12-bit planes follow the header, high 12 bits first;
 *   the header's width field counts both planes (twice the frame width)
 * quad (2x2, 512x512): a raw row holds the 4 chips' rows [chip 0 | chip 1 | chip 2 | chip 3];
 *   chip 3 -> top-left, chip 2 -> top-right, chip 1 -> bottom-left and chip 0 -> bottom-right,
 *   the bottom two turned by 180 degrees (row r goes to row 511 - r, columns reversed)
 * </pre>
 *
 * @param depth  counter depth 1, 6, 12 or 24
 * @param quad   2x2 chip assembly (else one chip)
 * @param height output frame rows
 * @param width  output frame columns
 */
public record MibRaw(int depth, boolean quad, int height, int width) implements Serializable {

    public MibRaw {
        if (depth != 1 && depth != 6 && depth != 12 && depth != 24) {
            throw new IllegalArgumentException("Merlin raw (R64) counter depth " + depth + " is not 1, 6, 12 or 24");
        }
        if (quad && depth == 24) throw new IllegalArgumentException("Merlin raw (R64) 24-bit quad frames are not supported (single-chip 24-bit and 1/6/12-bit quad are)");
        int chipWidth = quad ? width / 2 : width;
        if (chipWidth * unitBits(depth) % 64 != 0 || (quad && (width % 2 != 0 || height % 2 != 0))) {
            throw new IllegalArgumentException("Merlin raw (R64) frame " + width + "x" + height + (quad ? " (quad)" : "")
                    + ": a chip row of " + chipWidth + " pixels is not a whole number of 64-bit words at depth " + depth);
        }
    }

    /** Bits each pixel occupies in the readout: depth 6 is padded to a byte, 12 and 24 to 16 bits. */
    static int unitBits(int depth) {
        return depth == 1 ? 1 : depth == 6 ? 8 : 16;
    }

    /** Bytes of pixel data after each frame header. */
    public long dataBytes() {
        long planes = depth == 24 ? 2 : 1;
        return planes * height * (long) width * unitBits(depth) / 8;
    }

    /** The element type the decoded values fit. */
    public DType dtype() {
        return depth <= 6 ? DType.U8 : depth == 12 ? DType.U16 : DType.U32;
    }

    /** Decodes one frame's pixel data, starting at the buffer's position, into out[off .. off + height*width). */
    public void decode(ByteBuffer in, float[] out, int off) {
        int at = in.position();
        int u = unitBits(depth);
        if (!quad) {
            int rowBytes = width * u / 8;
            for (int r = 0; r < height; r++) row(in, at + r * rowBytes, width, out, off + r * width, 1, false);
            if (depth == 24) {
                // high plane was written times 1; scale it and add the low plane
                for (int i = 0; i < height * width; i++) out[off + i] *= 4096f;
                int low = at + height * rowBytes;
                for (int r = 0; r < height; r++) row(in, low + r * rowBytes, width, out, off + r * width, 1, true);
            }
        } else {
            int cw = width / 2;
            int rows = height / 2;
            int chipRow = cw * u / 8;
            for (int r = 0; r < rows; r++) {
                int base = at + r * 4 * chipRow;
                int top = off + r * width;
                int bottom = off + (height - 1 - r) * width;
                row(in, base + 3 * chipRow, cw, out, top, 1, false);
                row(in, base + 2 * chipRow, cw, out, top + cw, 1, false);
                row(in, base + chipRow, cw, out, bottom + cw - 1, -1, false);
                row(in, base, cw, out, bottom + width - 1, -1, false);
            }
        }
        in.position(at + (int) dataBytes());
    }

    /** One chip row of px pixels from byte at, to out[d], out[d + step], ...; adds when add is set. */
    private void row(ByteBuffer in, int at, int px, float[] out, int d, int step, boolean add) {
        int u = unitBits(depth);
        int per = 64 / u;
        long mask = (1L << u) - 1;
        for (int wd = 0; wd < px / per; wd++) {
            long word = in.getLong(at + 8 * wd);    // the buffer is big-endian
            for (int q = 0; q < per; q++) {
                float v = (word >>> (q * u)) & mask;
                int i = d + step * (wd * per + q);
                out[i] = add ? out[i] + v : v;
            }
        }
    }
}
