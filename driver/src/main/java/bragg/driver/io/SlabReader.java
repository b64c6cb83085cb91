package bragg.driver.io;

import java.io.Closeable;
import java.io.IOException;

/**
 * An open file inside one Spark task. Reads a run of consecutive samples (a slab) as floats;
 * the task opens it, reads its slabs and closes it: the driver never reads data.
 */
public interface SlabReader extends Closeable {
    /**
     * Reads samples [first, first + count) into out[0 .. count * sampleSize), sample after sample,
     * each row-major. Fails with an IOException naming the file and byte offset (or key) when the
     * data are not what the header promised.
     */
    void read(long first, int count, float[] out) throws IOException;

    /**
     * Reads the same samples as {@link #read} but hands out the stored elements undecoded, or
     * returns null (reading nothing) when this layout does not keep each sample's elements
     * contiguous in the header's dtype (Merlin raw mode, Fortran order, HDF5, images): callers
     * then use {@link #read}. Same checks and errors as {@link #read}.
     */
    default StoredSlab readStored(long first, int count) throws IOException {
        return null;
    }

    /** Readers that hold no open file between reads need not close anything. */
    @Override
    default void close() throws IOException {
    }
}
