package bragg.worker.collective;

import java.nio.ByteBuffer;

/**
 * The collective of a job with one replica: the sum over one rank is the buffer itself. Used
 * where a single replica trains outside a barrier stage (the training benchmark).
 */
public final class SoloCollective implements Collective {
    @Override
    public int rank() {
        return 0;
    }

    @Override
    public int worldSize() {
        return 1;
    }

    @Override
    public void allReduce(float[] buf, int off, int len) {
        if (off < 0 || len < 0 || off + len > buf.length) {
            throw new IllegalArgumentException("allReduce range [" + off + ", " + (off + len) + ") outside a buffer of "
                    + buf.length);
        }
    }

    @Override
    public void allReduce(ByteBuffer buf, int off, int len) {
        Collective.checkRange(buf, off, len);
    }

    @Override
    public void barrier() {
    }

    @Override
    public void close() {
    }
}
