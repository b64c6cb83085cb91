package bragg.worker.collective;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.SocketChannel;

/**
 * Data frames onto a blocking channel, the payload sent from the caller's (direct) buffer in
 * place: one gathering write of header, payload and checksum, no copy in the JVM. One thread at
 * a time (the ring's sender thread).
 */
final class FrameWriter {
    private final SocketChannel ch;
    private final ByteBuffer header = ByteBuffer.allocateDirect(Frames.HEADER_BYTES);
    private final ByteBuffer crc = ByteBuffer.allocateDirect(Frames.CRC_BYTES);
    private final ByteBuffer[] parts = new ByteBuffer[3];

    FrameWriter(SocketChannel ch) throws IOException {
        ch.configureBlocking(true);
        this.ch = ch;
    }

    /** Sends {@code payload[position, limit)} as frame {@code seq}; the buffer's position and limit are not moved. */
    void write(byte kind, int seq, ByteBuffer payload) throws IOException {
        int len = payload.remaining();
        Frames.header(header, kind, seq, len);
        crc.clear();
        crc.putInt(Frames.crc(header, payload)).flip();
        parts[0] = header;
        parts[1] = payload.duplicate();
        parts[2] = crc;
        long left = Frames.HEADER_BYTES + len + Frames.CRC_BYTES;
        while (left > 0) {
            left -= ch.write(parts);
        }
    }
}
