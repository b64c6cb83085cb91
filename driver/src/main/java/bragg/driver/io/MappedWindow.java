package bragg.driver.io;

import java.io.IOException;
import java.lang.invoke.MethodHandle;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.MethodType;
import java.lang.reflect.Field;
import java.nio.ByteBuffer;
import java.nio.MappedByteBuffer;
import java.nio.channels.FileChannel;

/**
 * Read-only views of a file through one memory-mapped window that moves forward with the reads
 * (a task reads its slabs in file order), so the slab decoders work on the page cache in place.
 * A window is unmapped as soon as it is left, not when the garbage collector gets to it: a task
 * over a 1 TB scan would otherwise hold its whole range mapped.
 */
final class MappedWindow implements AutoCloseable {
    /** Bytes mapped at a time: 128 slabs of 2 MB per map/unmap pair (each costs a few microseconds and a TLB flush). */
    static final long SIZE = 256L << 20;
    private static final MethodHandle UNMAP = unmapper();

    private final FileChannel ch;
    private MappedByteBuffer map;
    private long from;      // file offset of map's byte 0
    private long to;        // file offset just past map's last byte

    MappedWindow(FileChannel ch) {
        this.ch = ch;
    }

    /** The bytes [start, start + len) of the file, which must lie inside it; valid until the next call. */
    ByteBuffer view(long start, int len) throws IOException {
        if (map == null || start < from || start + len > to) {
            close();
            long end = Math.min(ch.size(), Math.max(start + len, start + SIZE));
            map = ch.map(FileChannel.MapMode.READ_ONLY, start, end - start);
            from = start;
            to = end;
        }
        return map.slice((int) (start - from), len);
    }

    @Override
    public void close() {
        if (map == null) return;
        MappedByteBuffer m = map;
        map = null;
        if (UNMAP != null) {
            try {
                UNMAP.invokeExact(m);
            } catch (Throwable e) {
                throw new IllegalStateException("could not unmap a window of the input", e);
            }
        }
    }

    /**
     * sun.misc.Unsafe.invokeCleaner (jdk.unsupported, public since Java 9, what Lucene and Netty
     * use); null where a JVM lacks it, and the garbage collector then unmaps the windows.
     */
    private static MethodHandle unmapper() {
        try {
            Class<?> c = Class.forName("sun.misc.Unsafe");
            Field f = c.getDeclaredField("theUnsafe");
            f.setAccessible(true);
            return MethodHandles.lookup().findVirtual(c, "invokeCleaner", MethodType.methodType(void.class, ByteBuffer.class))
                    .bindTo(f.get(null)).asType(MethodType.methodType(void.class, MappedByteBuffer.class));
        } catch (ReflectiveOperationException | RuntimeException e) {
            return null;
        }
    }
}
