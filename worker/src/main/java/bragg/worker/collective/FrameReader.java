package bragg.worker.collective;

import java.io.EOFException;
import java.io.IOException;
import java.net.SocketTimeoutException;
import java.nio.ByteBuffer;
import java.nio.channels.AsynchronousCloseException;
import java.nio.channels.ClosedSelectorException;
import java.nio.channels.SelectionKey;
import java.nio.channels.Selector;
import java.nio.channels.SocketChannel;

/**
 * Data frames from a channel, the payload read straight into the caller's (direct) buffer.
 * The channel is non-blocking and waited on with a selector, because a blocking channel read
 * ignores SO_TIMEOUT: a silent peer must fail the read after {@code timeoutMs}, not hang it.
 * One reading thread; {@link #close} may come from any thread and wakes the reader.
 */
final class FrameReader implements AutoCloseable {
    private final SocketChannel ch;
    private final Selector selector;
    private final int timeoutMs;
    private final String peer;
    private final ByteBuffer header = ByteBuffer.allocateDirect(Frames.HEADER_BYTES);
    private final ByteBuffer crc = ByteBuffer.allocateDirect(Frames.CRC_BYTES);

    FrameReader(SocketChannel ch, int timeoutMs, String peer) throws IOException {
        this.ch = ch;
        this.timeoutMs = timeoutMs;
        this.peer = peer;
        ch.configureBlocking(false);
        selector = Selector.open();
        ch.register(selector, SelectionKey.OP_READ);
    }

    /**
     * Reads frame {@code seq} of {@code kind} whose payload must be exactly {@code dst.remaining()}
     * bytes into {@code dst[position, limit)}; the header is checked before the payload is read.
     * The buffer's position and limit are not moved.
     *
     * @throws FrameException         bad magic, kind, seq, length or checksum (naming the peer)
     * @throws SocketTimeoutException no byte for {@code timeoutMs}
     * @throws EOFException           the peer closed the connection
     */
    void read(byte kind, int seq, ByteBuffer dst) throws IOException {
        int len = dst.remaining();
        header.clear();
        fill(header);
        header.flip();
        Frames.check(header, kind, seq, len, peer);
        ByteBuffer payload = dst.duplicate();
        fill(payload);
        crc.clear();
        fill(crc);
        if (crc.getInt(0) != Frames.crc(header, dst)) {
            throw Frames.badCrc(peer, seq, len);
        }
    }

    private void fill(ByteBuffer b) throws IOException {
        long deadline = System.nanoTime() + timeoutMs * 1_000_000L;
        while (b.hasRemaining()) {
            int n = ch.read(b);
            if (n < 0) {
                throw new EOFException("connection closed by " + peer);
            }
            if (n > 0) {
                deadline = System.nanoTime() + timeoutMs * 1_000_000L;   // the timeout is per wait, not per frame
                continue;
            }
            long left = deadline - System.nanoTime();
            if (left <= 0) {
                throw new SocketTimeoutException("no byte from " + peer + " for " + timeoutMs + " ms");
            }
            try {
                selector.select(Math.max(1, left / 1_000_000L));
                selector.selectedKeys().clear();
            } catch (ClosedSelectorException e) {
                throw new AsynchronousCloseException();   // closed by the ring after an error elsewhere
            }
        }
    }

    /** Closes the selector (which wakes a waiting reader and lets the channel's close complete). */
    @Override
    public void close() throws IOException {
        selector.close();
    }
}
