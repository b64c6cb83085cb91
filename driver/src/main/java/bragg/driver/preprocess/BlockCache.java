package bragg.driver.preprocess;

import java.io.EOFException;
import java.io.File;
import java.io.IOException;
import java.io.Serializable;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.Iterator;
import java.util.NoSuchElementException;
import java.util.function.Consumer;
import org.apache.spark.SparkEnv;
import org.apache.spark.TaskContext;
import org.apache.spark.util.TaskCompletionListener;

/**
 * The statistics pass's transformed blocks, kept for the write pass in one file per partition on
 * the executor's local disk, and read back once by the write pass's task for that partition.
 * <p>
 * Spark's {@code persist(DISK_ONLY)} did the same job at about twice the CPU (BENCHMARKS.md,
 * bench preprocess): it reads every block it has just written back through its serializer in the
 * pass that computes it, then again in the pass that uses it, with two more copies per read
 * (stream buffer, Kryo). Here a block is encoded into one reused direct buffer and written with
 * one system call; the write pass reads it the same way.
 * <p>
 * The file lives in one of Spark's local directories ({@code spark.local.dir}, the executor's
 * scratch disks, removed with the executor). The write pass asks Spark to run each partition on
 * the executor that kept its file ({@link Ref#location}); where that did not happen (the executor
 * was lost, or the scheduler's locality wait ran out) {@link #read} returns null and the caller
 * transforms the raw slabs again, so the file is an optimisation, never the only copy.
 * <pre>
 *   file   [block]*   each block: [length int, little-endian] [SampleBlock.encodeInto bytes]
 * </pre>
 */
final class BlockCache {
    private BlockCache() {
    }

    /**
     * Where one partition's blocks were kept: the executor that wrote them (host, executorId),
     * the file on that host, and its length and number of blocks, checked when it is read.
     * (A class, not a record: Spark's Kryo cannot set a record's fields.)
     */
    static final class Ref implements Serializable {
        final String host;
        final String executorId;
        final String path;
        final long bytes;
        final int blocks;

        Ref(String host, String executorId, String path, long bytes, int blocks) {
            this.host = host;
            this.executorId = executorId;
            this.path = path;
            this.bytes = bytes;
            this.blocks = blocks;
        }

        /** Spark's form of an executor as a preferred task location ({@code TaskLocation}: executor_HOST_ID). */
        String location() {
            return "executor_" + host + "_" + executorId;
        }
    }

    /**
     * Writes the blocks into a new file in this executor's local directories, handing each to
     * seen after it is written; deletes the file if anything fails.
     */
    static Ref write(Iterator<SampleBlock> blocks, Consumer<SampleBlock> seen) throws IOException {
        SparkEnv env = SparkEnv.get();
        // a fresh name in Spark's own scratch directories (temp_local_UUID), removed with them
        File f = env.blockManager().diskBlockManager().createTempLocalBlock()._2();
        boolean done = false;
        ByteBuffer buf = null;
        long bytes = 0;
        int count = 0;
        try (FileChannel ch = FileChannel.open(f.toPath(), StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE)) {
            while (blocks.hasNext()) {
                SampleBlock b = blocks.next();
                int size = b.encodedSize();
                if (buf == null || buf.capacity() < 4 + size) buf = ByteBuffer.allocateDirect(4 + size).order(ByteOrder.LITTLE_ENDIAN);
                buf.clear();
                buf.putInt(size);
                b.encodeInto(buf);
                buf.flip();
                while (buf.hasRemaining()) bytes += ch.write(buf);
                count++;
                seen.accept(b);
            }
            done = true;
        } finally {
            if (!done) Files.deleteIfExists(f.toPath());
        }
        return new Ref(env.blockManager().blockManagerId().host(), env.executorId(), f.getPath(), bytes, count);
    }

    /**
     * The blocks ref kept, one at a time, or null when this executor cannot see them (another
     * host, or the file is gone). A file of another length than written, or one that ends
     * inside a block, is an error naming the file and the byte offset.
     */
    static Iterator<SampleBlock> read(Ref ref) throws IOException {
        if (ref == null || !ref.host.equals(SparkEnv.get().blockManager().blockManagerId().host())) return null;
        Path p = Path.of(ref.path);
        if (!Files.exists(p)) return null;
        long size = Files.size(p);
        if (size != ref.bytes) {
            throw new IOException(p + ": cached blocks of the statistics pass hold " + size + " bytes, expected " + ref.bytes
                    + " as written (local disk full or file changed?)");
        }
        FileChannel ch = FileChannel.open(p, StandardOpenOption.READ);
        TaskContext task = TaskContext.get();
        if (task != null) task.addTaskCompletionListener((TaskCompletionListener) ctx -> closeQuietly(ch));
        return new Reader(p, ch, size, ref.blocks);
    }

    /** Deletes the file ref names, if it is on this host. */
    static void delete(Ref ref) throws IOException {
        if (ref != null && ref.host.equals(SparkEnv.get().blockManager().blockManagerId().host())) Files.deleteIfExists(Path.of(ref.path));
    }

    private static void closeQuietly(FileChannel ch) {
        try {
            ch.close();
        } catch (IOException ignored) {
            // only a read channel: nothing is lost
        }
    }

    /** The blocks of one file, decoded from one reused direct buffer. */
    private static final class Reader implements Iterator<SampleBlock> {
        private final Path path;
        private final FileChannel ch;
        private final long size;       // the file's length, checked against the Ref when opened
        private final int blocks;
        private final ByteBuffer head = ByteBuffer.allocate(4).order(ByteOrder.LITTLE_ENDIAN);
        private ByteBuffer buf;
        private int read;
        private long offset;

        Reader(Path path, FileChannel ch, long size, int blocks) {
            this.path = path;
            this.ch = ch;
            this.size = size;
            this.blocks = blocks;
        }

        @Override
        public boolean hasNext() {
            if (read < blocks) return true;
            closeQuietly(ch);
            return false;
        }

        @Override
        public SampleBlock next() {
            if (read >= blocks) throw new NoSuchElementException();
            try {
                head.clear();
                fill(head);
                int length = head.getInt(0);
                if (length <= 0 || offset + length > size) {
                    throw new IOException(path + ": block " + read + " at byte offset " + (offset - 4) + " declares " + length
                            + " bytes, but the file has " + (size - offset) + " left");
                }
                if (buf == null || buf.capacity() < length) buf = ByteBuffer.allocateDirect(length).order(ByteOrder.LITTLE_ENDIAN);
                buf.clear().limit(length);
                fill(buf);
                buf.flip();
                read++;
                return SampleBlock.decode(buf);
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }

        private void fill(ByteBuffer b) throws IOException {
            while (b.hasRemaining()) {
                int n = ch.read(b, offset);
                if (n < 0) throw new EOFException(path + ": ends at byte offset " + offset + " inside block " + read + " of " + blocks);
                offset += n;
            }
        }
    }
}
