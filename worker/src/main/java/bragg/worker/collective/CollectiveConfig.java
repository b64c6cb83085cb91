package bragg.worker.collective;

import java.io.Serializable;

/**
 * Settings of the TCP ring. Each field is validated and named in the error.
 *
 * @param connectTimeoutMs timeout of one TCP connect to the next rank (and of the handshake)
 * @param readTimeoutMs    longest wait for any one read from a peer; a dead or silent peer fails
 *                         the all-reduce after this long instead of hanging the stage
 * @param acceptTimeoutMs  longest wait for the previous rank to connect and authenticate
 * @param chunkFloats      floats per frame; frames are pipelined around the ring, so a chunk is
 *                         reduced and forwarded while the next one is still on the wire
 * @param compression      what a gradient value is on the wire (bragg.train.compression)
 */
public record CollectiveConfig(int connectTimeoutMs, int readTimeoutMs, int acceptTimeoutMs, int chunkFloats,
                               Compression compression) implements Serializable {

    /** 10 s connect, 120 s read, 60 s accept, 256 Ki floats (1 MiB) per frame, float32 on the wire. */
    public static final CollectiveConfig DEFAULT = new CollectiveConfig(10_000, 120_000, 60_000, 256 * 1024,
            Compression.NONE);

    public CollectiveConfig {
        positive("connectTimeoutMs", connectTimeoutMs);
        positive("readTimeoutMs", readTimeoutMs);
        positive("acceptTimeoutMs", acceptTimeoutMs);
        positive("chunkFloats", chunkFloats);
        if (chunkFloats > Frames.MAX_PAYLOAD_BYTES / 4) {
            throw new IllegalArgumentException("collective chunkFloats must be <= " + Frames.MAX_PAYLOAD_BYTES / 4
                    + ", found " + chunkFloats);
        }
        if (compression == null) {
            throw new IllegalArgumentException("collective compression must be none or bf16, found null");
        }
    }

    private static void positive(String key, int v) {
        if (v <= 0) {
            throw new IllegalArgumentException("collective " + key + " must be > 0, found " + v);
        }
    }

    public CollectiveConfig withConnectTimeoutMs(int ms) {
        return new CollectiveConfig(ms, readTimeoutMs, acceptTimeoutMs, chunkFloats, compression);
    }

    public CollectiveConfig withReadTimeoutMs(int ms) {
        return new CollectiveConfig(connectTimeoutMs, ms, acceptTimeoutMs, chunkFloats, compression);
    }

    public CollectiveConfig withCompression(Compression c) {
        return new CollectiveConfig(connectTimeoutMs, readTimeoutMs, acceptTimeoutMs, chunkFloats, c);
    }

    public CollectiveConfig withChunkFloats(int n) {
        return new CollectiveConfig(connectTimeoutMs, readTimeoutMs, acceptTimeoutMs, n, compression);
    }
}
