package bragg.driver.io;

import java.nio.ByteBuffer;

/**
 * A slab's elements exactly as the file stores them, for transforms that work on the stored
 * integers directly (no float copy of the raw slab).
 * <pre>
 * bytes: [count frames] each `stride` bytes; sample s's elements, [sampleSize] of dtype in the
 *        buffer's byte order, start at byte offset + s * stride
 * </pre>
 * The buffer belongs to the reader and is overwritten by its next read.
 */
public record StoredSlab(ByteBuffer bytes, DType dtype, int offset, int stride) {
    /** Byte offset of sample s's first element. */
    public int sampleStart(int s) {
        return offset + s * stride;
    }
}
