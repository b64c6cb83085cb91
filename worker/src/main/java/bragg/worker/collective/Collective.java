package bragg.worker.collective;

import java.io.IOException;
import java.nio.ByteBuffer;

/**
 * Gradient exchange between the N replicas of one training job (the xgboost Communicator / DJL
 * ParameterServer idea: one small interface, every error checked).
 *
 * <p>Every rank must make the same calls in the same order with the same lengths; a rank that
 * calls {@link #allReduce} with another length, or not at all, fails the others with an error
 * (a frame of the wrong size, or a timeout naming the silent peer), never a hang.
 */
public interface Collective extends AutoCloseable {

    /** This replica's rank, 0 .. worldSize-1. */
    int rank();

    /** Number of replicas. */
    int worldSize();

    /**
     * Replaces {@code buf[off, off+len)} on every rank with the element-wise float32 sum over all
     * ranks. The sum is taken in a fixed order, so every rank ends with bit-identical values.
     *
     * @throws IOException naming the peer rank and address when a peer dies, times out or sends
     *                     a bad frame; the collective is unusable afterwards
     */
    void allReduce(float[] buf, int off, int len) throws IOException;

    /**
     * The same on the float32 little-endian values {@code [off, off+len)} of {@code buf}, counted
     * in floats from byte 0 (position and limit are ignored and not moved). A direct buffer lets
     * the ring send and receive the values in place, with no copy or conversion in the JVM.
     *
     * @throws IOException as {@link #allReduce(float[], int, int)}
     */
    void allReduce(ByteBuffer buf, int off, int len) throws IOException;

    /** Returns once every rank has entered the barrier. */
    void barrier() throws IOException;

    /**
     * A barrier made of one all-reduce of a single 1 from every rank: returns once every rank
     * has contributed, and fails when the count is not the world size.
     */
    static void barrierBySum(Collective c) throws IOException {
        float[] one = {1f};
        c.allReduce(one, 0, 1);
        if (one[0] != c.worldSize()) {
            throw new IOException("rank " + c.rank() + ": barrier counted " + one[0] + " ranks, expected " + c.worldSize());
        }
    }

    /** Fails naming the range and the capacity when floats {@code [off, off+len)} are not all in {@code buf}. */
    static void checkRange(ByteBuffer buf, int off, int len) {
        if (off < 0 || len < 0 || 4L * (off + (long) len) > buf.capacity()) {
            throw new IllegalArgumentException("allReduce range of floats [" + off + ", " + ((long) off + len)
                    + ") is outside a buffer of " + buf.capacity() + " bytes");
        }
    }

    /** Closes the connections; idempotent. */
    @Override
    void close() throws IOException;
}
