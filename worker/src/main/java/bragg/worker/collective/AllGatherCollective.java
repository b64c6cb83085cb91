package bragg.worker.collective;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.FloatBuffer;
import java.util.Base64;
import java.util.zip.CRC32;

/**
 * The fallback transport: every rank's buffer travels as base64 text through one
 * {@link Exchange#allGather} round (Spark's {@code BarrierTaskContext.allGather}, which routes
 * every byte through the driver), then each rank sums all N buffers itself in rank order
 * 0, 1, ..., N-1, so every rank ends with the same bits. N times the traffic of the ring and a
 * driver in the middle: for tiny models, and as the benchmark's baseline.
 *
 * <p>Message: {@code rank:len:crc32:base64(float32 little-endian)}. A message of another length
 * or checksum fails naming the rank that sent it.
 */
public final class AllGatherCollective implements Collective {

    /** One all-gather round: every rank passes its message and receives all N, index = rank. */
    @FunctionalInterface
    public interface Exchange {
        String[] allGather(String message) throws IOException;
    }

    private final int rank;
    private final int worldSize;
    private final Exchange exchange;
    private boolean closed;

    public AllGatherCollective(int rank, int worldSize, Exchange exchange) {
        if (worldSize < 1 || rank < 0 || rank >= worldSize) {
            throw new IllegalArgumentException("collective: rank " + rank + " of world size " + worldSize + " is not valid");
        }
        this.rank = rank;
        this.worldSize = worldSize;
        this.exchange = exchange;
    }

    @Override
    public int rank() {
        return rank;
    }

    @Override
    public int worldSize() {
        return worldSize;
    }

    @Override
    public void allReduce(float[] buf, int off, int len) throws IOException {
        ensureOpen();
        if (off < 0 || len < 0 || off + len > buf.length) {
            throw new IllegalArgumentException("collective: range [" + off + ", " + (off + len) + ") is outside a buffer of "
                    + buf.length);
        }
        if (worldSize == 1) {
            return;
        }
        String[] all = exchange.allGather(encode(rank, buf, off, len));
        if (all.length != worldSize) {
            throw new IOException("rank " + rank + ": allGather returned " + all.length + " messages, expected " + worldSize);
        }
        float[] sum = new float[len];
        for (int r = 0; r < worldSize; r++) {
            float[] v = decode(all[r], r, len);
            for (int i = 0; i < len; i++) {
                sum[i] += v[i];
            }
        }
        System.arraycopy(sum, 0, buf, off, len);
    }

    /** Through a heap copy: this transport encodes to text anyway. */
    @Override
    public void allReduce(ByteBuffer buf, int off, int len) throws IOException {
        Collective.checkRange(buf, off, len);
        FloatBuffer f = buf.duplicate().clear().order(ByteOrder.LITTLE_ENDIAN).asFloatBuffer();
        float[] a = new float[len];
        f.get(off, a, 0, len);
        allReduce(a, 0, len);
        f.put(off, a, 0, len);
    }

    @Override
    public void barrier() throws IOException {
        ensureOpen();
        exchange.allGather("");
    }

    @Override
    public void close() {
        closed = true;
    }

    private void ensureOpen() throws IOException {
        if (closed) {
            throw new IOException("rank " + rank + ": the allGather collective is closed");
        }
    }

    static String encode(int rank, float[] buf, int off, int len) {
        ByteBuffer b = ByteBuffer.allocate(4 * len).order(ByteOrder.LITTLE_ENDIAN);
        b.asFloatBuffer().put(buf, off, len);
        CRC32 crc = new CRC32();
        crc.update(b.array());
        return rank + ":" + len + ":" + Long.toHexString(crc.getValue()) + ":" + Base64.getEncoder().encodeToString(b.array());
    }

    static float[] decode(String msg, int expectedRank, int expectedLen) throws IOException {
        String[] f = msg.split(":", 4);
        if (f.length != 4) {
            throw new IOException("allGather message of rank " + expectedRank + " is not rank:len:crc:data (" + Math.min(msg.length(), 40)
                    + " characters: '" + msg.substring(0, Math.min(msg.length(), 40)) + "')");
        }
        try {
            int r = Integer.parseInt(f[0]);
            int len = Integer.parseInt(f[1]);
            if (r != expectedRank || len != expectedLen) {
                throw new IOException("allGather message in slot " + expectedRank + " claims rank " + r + " and " + len
                        + " floats, expected rank " + expectedRank + " and " + expectedLen
                        + " floats (every rank must all-reduce the same length)");
            }
            byte[] bytes = Base64.getDecoder().decode(f[3]);
            if (bytes.length != 4 * len) {
                throw new IOException("allGather message of rank " + r + " holds " + bytes.length + " bytes, expected " + 4 * len);
            }
            CRC32 crc = new CRC32();
            crc.update(bytes);
            if (crc.getValue() != Long.parseLong(f[2], 16)) {
                throw new IOException("allGather message of rank " + r + ": checksum mismatch");
            }
            float[] v = new float[len];
            ByteBuffer.wrap(bytes).order(ByteOrder.LITTLE_ENDIAN).asFloatBuffer().get(v);
            return v;
        } catch (IllegalArgumentException e) {
            throw new IOException("allGather message of rank " + expectedRank + " is malformed: " + e.getMessage(), e);
        }
    }
}
