package bragg.driver.io;

import java.io.EOFException;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;

/**
 * Reads samples stored one after another at a fixed stride, each optionally preceded by a
 * frame header (Merlin .mib) and otherwise contiguous (.npy in C order, raw binary).
 * One positional read per slab into a reused direct buffer (a heap buffer would cost a second
 * copy: the JDK reads into a temporary direct buffer and copies from there), then a decode pass.
 */
final class FramedBinaryReader implements SlabReader {
    private final String path;
    private final FileChannel ch;
    private final long dataStart;      // byte offset of frame 0 (its header, if any)
    private final int frameHeader;     // bytes of header before each sample's pixels
    private final int sampleSize;      // elements per sample
    private final DType dtype;
    private final ByteOrder order;
    private final byte[] magic;        // expected first bytes of each frame header, or null
    private final MibRaw raw;          // Merlin raw-mode pixel decoder, or null for plain elements
    private ByteBuffer buf;

    FramedBinaryReader(String path, long dataStart, int frameHeader, int sampleSize, DType dtype, ByteOrder order,
                       String magic) throws IOException {
        this(path, dataStart, frameHeader, sampleSize, dtype, order, magic, null);
    }

    FramedBinaryReader(String path, long dataStart, int frameHeader, int sampleSize, DType dtype, ByteOrder order,
                       String magic, MibRaw raw) throws IOException {
        this.path = path;
        this.ch = FileChannel.open(Path.of(path), StandardOpenOption.READ);
        this.dataStart = dataStart;
        this.frameHeader = frameHeader;
        this.sampleSize = sampleSize;
        this.dtype = dtype;
        this.order = order;
        this.magic = magic == null ? null : magic.getBytes(StandardCharsets.US_ASCII);
        this.raw = raw;
    }

    private long stride() {
        return frameHeader + (raw != null ? raw.dataBytes() : (long) sampleSize * dtype.size);
    }

    @Override
    public void read(long first, int count, float[] out) throws IOException {
        fill(first, count);
        for (int s = 0; s < count; s++) {
            buf.position(s * (int) stride() + frameHeader);
            if (raw != null) raw.decode(buf, out, s * sampleSize);
            else dtype.decode(buf, out, s * sampleSize, sampleSize);
        }
    }

    @Override
    public StoredSlab readStored(long first, int count) throws IOException {
        if (raw != null) return null;
        fill(first, count);
        return new StoredSlab(buf, dtype, frameHeader, (int) stride());
    }

    /** Reads the frames of samples [first, first + count) into buf from byte 0 and checks their magic. */
    private void fill(long first, int count) throws IOException {
        long start = dataStart + first * stride();
        long len = count * stride();
        if (len > Integer.MAX_VALUE - 8) throw new IllegalArgumentException(path + ": slab of " + len + " bytes is over 2 GB; use smaller slabs");
        if (buf == null || buf.capacity() < len) buf = ByteBuffer.allocateDirect((int) len);
        buf.clear().limit((int) len);
        long pos = start;
        while (buf.hasRemaining()) {
            int n = ch.read(buf, pos);
            if (n < 0) {
                throw new EOFException(path + ": file ends at byte " + pos + " but samples [" + first + ", " + (first + count)
                        + ") need bytes up to " + (start + len) + " (truncated file?)");
            }
            pos += n;
        }
        buf.flip().order(order);
        if (magic != null) for (int s = 0; s < count; s++) checkMagic((int) (s * stride()), start + s * stride(), first + s);
    }

    private void checkMagic(int at, long fileOffset, long frame) throws IOException {
        for (int i = 0; i < magic.length; i++) {
            if (buf.get(at + i) != magic[i]) {
                byte[] found = new byte[magic.length];
                for (int j = 0; j < magic.length; j++) found[j] = buf.get(at + j);
                throw new IOException(path + ": frame " + frame + " at byte offset " + fileOffset + " should start with '"
                        + new String(magic, StandardCharsets.US_ASCII) + "' but starts with '"
                        + new String(found, StandardCharsets.ISO_8859_1).replaceAll("[^ -~]", "?") + "' (frame size changed or file corrupt)");
            }
        }
    }

    @Override
    public void close() throws IOException {
        ch.close();
    }
}
