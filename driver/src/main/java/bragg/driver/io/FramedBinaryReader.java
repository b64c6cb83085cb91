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
 * A slab is a view into a memory-mapped window of the file ({@link MappedWindow}), decoded (or
 * binned, through {@link #readStored}) straight from the page cache: a read() into a buffer would
 * first copy every byte once more (about 0.2 CPU-s per 2 GB, BENCHMARKS.md, bench preprocess).
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
    private final MappedWindow window;
    private ByteBuffer buf;            // the last slab's view into window

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
        this.window = new MappedWindow(ch);
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

    /** Points buf at the frames of samples [first, first + count) (from its byte 0) and checks their magic. */
    private void fill(long first, int count) throws IOException {
        long start = dataStart + first * stride();
        long len = count * stride();
        if (len > Integer.MAX_VALUE - 8) throw new IllegalArgumentException(path + ": slab of " + len + " bytes is over 2 GB; use smaller slabs");
        long size = ch.size();
        if (start + len > size) {
            throw new EOFException(path + ": file ends at byte " + size + " but samples [" + first + ", " + (first + count)
                    + ") need bytes up to " + (start + len) + " (truncated file?)");
        }
        buf = window.view(start, (int) len).order(order);
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
        buf = null;
        window.close();
        ch.close();
    }
}
