package bragg.driver.io;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;

/**
 * Streams a C-ordered .npy file: header first, then the caller's data in order; close checks
 * that exactly the declared number of bytes was written (a short file is an error, not a
 * silently truncated array).
 */
public final class NpyWriter implements AutoCloseable {
    private final Path path;
    private final FileChannel ch;
    private final long expected;
    private final ByteOrder order;
    private long written;

    public NpyWriter(Path path, DType dtype, ByteOrder order, long[] shape) throws IOException {
        this.path = path;
        this.order = order;
        this.ch = FileChannel.open(path, StandardOpenOption.CREATE, StandardOpenOption.TRUNCATE_EXISTING, StandardOpenOption.WRITE);
        ByteBuffer h = ByteBuffer.wrap(NpyHeader.encode(dtype, order, shape));
        while (h.hasRemaining()) ch.write(h);
        this.expected = Shapes.product(shape) * dtype.size;
    }

    public ByteOrder order() {
        return order;
    }

    /** Writes the buffer's remaining bytes. */
    public void write(ByteBuffer b) throws IOException {
        written += b.remaining();
        if (written > expected) throw new IOException(path + ": writing past the declared " + expected + " data bytes");
        while (b.hasRemaining()) ch.write(b);
    }

    @Override
    public void close() throws IOException {
        ch.close();
        if (written != expected) throw new IOException(path + ": wrote " + written + " data bytes, the header declares " + expected);
    }

    /** Writes a small whole array at once. */
    public static void write(Path path, DType dtype, long[] shape, float[] values) throws IOException {
        ByteBuffer b = ByteBuffer.allocate(values.length * dtype.size).order(ByteOrder.LITTLE_ENDIAN);
        for (float v : values) {
            switch (dtype) {
                case U8, I8 -> b.put((byte) v);
                case U16, I16 -> b.putShort((short) v);
                case U32, I32 -> b.putInt((int) (long) v);
                case I64 -> b.putLong((long) v);
                case F16 -> throw new IllegalArgumentException("NpyWriter does not write float16");
                case F32 -> b.putFloat(v);
                case F64 -> b.putDouble(v);
            }
        }
        b.flip();
        try (NpyWriter w = new NpyWriter(path, dtype, ByteOrder.LITTLE_ENDIAN, shape)) {
            w.write(b);
        }
    }
}
