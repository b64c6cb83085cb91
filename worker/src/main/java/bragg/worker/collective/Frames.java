package bragg.worker.collective;

import java.io.DataInputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.zip.CRC32C;

/**
 * The one wire format between replicas: every message is a frame
 * <pre>
 *   magic  u32  'BRGF'
 *   kind   u8   HELLO, CHALLENGE, PROOF, DATA
 *   seq    i32  sequence number (data: the chunk index in this all-reduce)
 *   length i32  payload bytes; the reader knows the length it expects and rejects any other
 *   payload     bytes (DATA: float32 little-endian, or bf16 little-endian with compression bf16)
 *   crc    u32  CRC32C of kind, seq, length and payload
 * </pre>
 * The reader checks the length against the size it expects before it touches the payload, so a
 * peer that claims 2 GB never makes us allocate 2 GB: the payload lands in a buffer the reader
 * sized itself.
 *
 * <p>Why CRC32C and not a MAC: the connection was authenticated by {@link Handshake} with the job
 * secret before any data frame; the checksum guards against corruption, not an attacker on the
 * path (the job secret authenticates peers, it does not make the ring a secure channel).
 * {@code java.util.zip.CRC32C} is a JIT intrinsic (SSE4.2 / ARMv8 crc32 instructions) and reads
 * direct buffers in place, so checking a 1 MiB frame costs far less than sending it.
 *
 * <p>Handshake frames go through streams ({@link #write}, {@link #read}); data frames through
 * channels and direct buffers ({@link FrameWriter}, {@link FrameReader}), in the same format.
 */
public final class Frames {
    public static final int MAGIC = 0x42524746; // "BRGF"
    public static final byte HELLO = 1;
    public static final byte CHALLENGE = 2;
    public static final byte PROOF = 3;
    public static final byte DATA = 4;
    /** Upper bound of any payload (a frame of 64 MiB is far above the default 1 MiB chunk). */
    public static final int MAX_PAYLOAD_BYTES = 64 << 20;
    static final int HEADER_BYTES = 13;
    static final int CRC_BYTES = 4;

    private Frames() {
    }

    /** Fills {@code h[0, 13)} with the header of a frame; position 0, limit 13 afterwards. */
    static void header(ByteBuffer h, byte kind, int seq, int len) {
        h.clear();
        h.order(ByteOrder.BIG_ENDIAN).putInt(MAGIC).put(kind).putInt(seq).putInt(len).flip();
    }

    /** CRC32C of the header's kind, seq and length, then of {@code payload[position, limit)}; moves neither. */
    static int crc(ByteBuffer header, ByteBuffer payload) {
        CRC32C crc = new CRC32C();
        crc.update(header.duplicate().position(4).limit(HEADER_BYTES));
        crc.update(payload.duplicate());
        return (int) crc.getValue();
    }

    /**
     * Checks a received header {@code h[0, 13)} against the frame the reader expects; the length
     * is checked before anything else is read.
     *
     * @throws FrameException naming {@code peer}, what was expected and what was found
     */
    static void check(ByteBuffer h, byte kind, int seq, int expectedLen, String peer) throws FrameException {
        h.order(ByteOrder.BIG_ENDIAN);
        int magic = h.getInt(0);
        if (magic != MAGIC) {
            throw new FrameException("from " + peer + ": not a bragg frame (magic 0x" + Integer.toHexString(magic)
                    + ", expected 0x" + Integer.toHexString(MAGIC) + ")");
        }
        byte k = h.get(4);
        int s = h.getInt(5);
        int len = h.getInt(9);
        if (len < 0 || len > expectedLen) {
            throw new FrameException("from " + peer + ": frame length " + len + " bytes is out of bounds (expected "
                    + expectedLen + ")" + (kind == DATA ? " (do both ranks use the same bragg.train.compression?)" : ""));
        }
        if (len != expectedLen) {
            throw new FrameException("from " + peer + ": frame length " + len + " bytes, expected " + expectedLen
                    + (kind == DATA ? " (do both ranks use the same bragg.train.compression?)" : ""));
        }
        if (k != kind) {
            throw new FrameException("from " + peer + ": frame kind " + k + ", expected " + kind);
        }
        if (s != seq) {
            throw new FrameException("from " + peer + ": frame sequence " + s + ", expected " + seq
                    + " (the ranks disagree on the order of collective calls)");
        }
    }

    static FrameException badCrc(String peer, int seq, int len) {
        return new FrameException("from " + peer + ": checksum mismatch in frame " + seq + " of " + len + " bytes");
    }

    /** Writes one frame and flushes. */
    public static void write(OutputStream out, byte kind, int seq, byte[] payload, int len) throws IOException {
        ByteBuffer h = ByteBuffer.allocate(HEADER_BYTES);
        header(h, kind, seq, len);
        int c = crc(h, ByteBuffer.wrap(payload, 0, len));
        out.write(h.array());
        out.write(payload, 0, len);
        out.write(new byte[] {(byte) (c >>> 24), (byte) (c >>> 16), (byte) (c >>> 8), (byte) c});
        out.flush();
    }

    /**
     * Reads one frame of the given kind and sequence number whose payload is exactly
     * {@code expectedLen} bytes into {@code dst[0, expectedLen)}.
     *
     * @param peer names the peer in every error ("rank 1 at 10.0.0.2:40123")
     * @throws FrameException on bad magic, another kind or seq, another length (checked before
     *                        reading the payload) or a bad checksum
     * @throws EOFException   when the peer closed the connection
     */
    public static void read(DataInputStream in, byte kind, int seq, byte[] dst, int expectedLen, String peer)
            throws IOException {
        if (expectedLen > dst.length) {
            throw new IllegalArgumentException("frame of " + expectedLen + " bytes expected into a buffer of " + dst.length);
        }
        ByteBuffer h = ByteBuffer.allocate(HEADER_BYTES);
        in.readFully(h.array());
        check(h, kind, seq, expectedLen, peer);
        in.readFully(dst, 0, expectedLen);
        int crcWire = in.readInt();
        if (crc(h, ByteBuffer.wrap(dst, 0, expectedLen)) != crcWire) {
            throw badCrc(peer, seq, expectedLen);
        }
    }
}
