package bragg.worker.collective;

import java.io.DataInputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.zip.CRC32;

/**
 * The one wire format between replicas: every message is a frame
 * <pre>
 *   magic  u32  'BRGF'
 *   kind   u8   HELLO, CHALLENGE, PROOF, DATA
 *   seq    i32  sequence number (data: the chunk index in this all-reduce)
 *   length i32  payload bytes; the reader knows the length it expects and rejects any other
 *   payload     bytes (DATA: float32 little-endian)
 *   crc    u32  CRC32 of kind, seq, length and payload
 * </pre>
 * The reader checks the length against the size it expects before it touches the payload, so a
 * peer that claims 2 GB never makes us allocate 2 GB: the payload lands in a buffer the reader
 * sized itself.
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

    private Frames() {
    }

    /** Writes one frame and flushes. */
    public static void write(OutputStream out, byte kind, int seq, byte[] payload, int len) throws IOException {
        byte[] header = new byte[HEADER_BYTES];
        ByteBuffer h = ByteBuffer.wrap(header).order(ByteOrder.BIG_ENDIAN);
        h.putInt(MAGIC).put(kind).putInt(seq).putInt(len);
        CRC32 crc = new CRC32();
        crc.update(header, 4, HEADER_BYTES - 4);
        crc.update(payload, 0, len);
        out.write(header);
        out.write(payload, 0, len);
        int c = (int) crc.getValue();
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
        byte[] header = new byte[HEADER_BYTES];
        in.readFully(header);
        ByteBuffer h = ByteBuffer.wrap(header).order(ByteOrder.BIG_ENDIAN);
        int magic = h.getInt();
        if (magic != MAGIC) {
            throw new FrameException("from " + peer + ": not a bragg frame (magic 0x" + Integer.toHexString(magic)
                    + ", expected 0x" + Integer.toHexString(MAGIC) + ")");
        }
        byte k = h.get();
        int s = h.getInt();
        int len = h.getInt();
        if (len < 0 || len > expectedLen || len > dst.length) {
            throw new FrameException("from " + peer + ": frame length " + len + " bytes is out of bounds (expected "
                    + expectedLen + ")");
        }
        if (len != expectedLen) {
            throw new FrameException("from " + peer + ": frame length " + len + " bytes, expected " + expectedLen);
        }
        if (k != kind) {
            throw new FrameException("from " + peer + ": frame kind " + k + ", expected " + kind);
        }
        if (s != seq) {
            throw new FrameException("from " + peer + ": frame sequence " + s + ", expected " + seq
                    + " (the ranks disagree on the order of collective calls)");
        }
        in.readFully(dst, 0, len);
        int crcWire = in.readInt();
        CRC32 crc = new CRC32();
        crc.update(header, 4, HEADER_BYTES - 4);
        crc.update(dst, 0, len);
        if ((int) crc.getValue() != crcWire) {
            throw new FrameException("from " + peer + ": checksum mismatch in frame " + seq + " of " + len + " bytes");
        }
    }
}
