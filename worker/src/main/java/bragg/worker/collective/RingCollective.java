package bragg.worker.collective;

import java.io.BufferedInputStream;
import java.io.BufferedOutputStream;
import java.io.DataInputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.FloatBuffer;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Bandwidth-optimal ring all-reduce over TCP (reduce-scatter, then all-gather), as in
 * Patarasuk and Yuan (2009) and NCCL's ring: each rank sends 2(N-1)/N of the buffer.
 *
 * <p>Layout. The buffer {@code [off, off+len)} is cut into N segments (the first {@code len % N}
 * one float longer, so any length works, also {@code len < N}); each segment into chunks of
 * {@code chunkFloats}. At ring step t (0 .. 2N-3) rank r sends segment {@code sendSeg(t)} to rank
 * r+1 and receives {@code recvSeg(t)} from rank r-1:
 * <pre>
 *   reduce-scatter  t = 0 .. N-2   send (r - t) mod N        recv (r - t - 1) mod N, add into buf
 *   all-gather      u = t-(N-1)    send (r + 1 - u) mod N    recv (r - u) mod N, copy into buf
 * </pre>
 * Pipelining: a sender thread writes chunks while this thread reads; chunk i received at step t
 * is queued for sending at step t+1 as soon as it is reduced, so a chunk travels on while the
 * next one is still on the wire. What is sent at step t+1 is always what was received at step t.
 *
 * <p>In place: frames go out straight from the caller's direct buffer (a gathering channel write
 * of header, slice and checksum) and, in the all-gather half, come in straight into it; a frame
 * to be added lands in one chunk-sized receive buffer first and is added from there on the
 * Vector API ({@link ChunkSum}; bf16 frames: {@link Bf16Frames}). The sender may read a chunk while
 * this thread writes another region: a region is overwritten only by data that causally
 * followed this rank's own send of it (the all-gather value of a chunk includes our
 * reduce-scatter contribution of that chunk), so the send has left the buffer by then.
 *
 * <p>Determinism: segment s is summed along the fixed chain s+1, s+2, ..., s (mod N), then copied
 * to every rank, so every rank ends with the same bits. With bf16 on the wire the rank that
 * completes a segment keeps the bf16 value it sends, so the same holds.
 *
 * <p>Failure: every read has a timeout and every error names the peer; on any error both sockets
 * are closed, which fails the neighbours in turn, so a dead rank fails the whole ring quickly.
 */
public final class RingCollective implements Collective {
    private static final Logger LOG = LoggerFactory.getLogger(RingCollective.class);
    private static final int SOCKET_BUFFER = 4 << 20;

    private final int rank;
    private final int worldSize;
    private final CollectiveConfig config;
    private final PeerAddress next;
    private final PeerAddress prev;
    private final Socket toNext;
    private final Socket fromPrev;
    private final FrameWriter out;
    private final FrameReader in;
    private final ExecutorService sender;
    private final AtomicReference<IOException> sendError = new AtomicReference<>();
    private final ByteBuffer recvWire;   // [chunk x wireBytes] a received frame that is added, or decoded (bf16)
    private final ByteBuffer sendWire;   // [chunk x 2] bf16 only: the sender thread's encoded frame
    private ByteBuffer staging;          // [len x 4] the float[] entry point's copy, grown on demand
    private int sendSeq;
    private int recvSeq;
    private volatile boolean closed;
    private boolean broken;

    private RingCollective(int rank, int worldSize, CollectiveConfig config, PeerAddress next, PeerAddress prev,
                           Socket toNext, Socket fromPrev) throws IOException {
        this.rank = rank;
        this.worldSize = worldSize;
        this.config = config;
        this.next = next;
        this.prev = prev;
        this.toNext = toNext;
        this.fromPrev = fromPrev;
        if (worldSize > 1) {
            this.out = new FrameWriter(toNext.getChannel());
            this.in = new FrameReader(fromPrev.getChannel(), config.readTimeoutMs(), prev.toString());
            this.sender = Executors.newSingleThreadExecutor(r -> {
                Thread t = new Thread(r, "bragg-ring-send-rank" + rank);
                t.setDaemon(true);
                return t;
            });
            int wire = config.compression().wireBytes;
            this.recvWire = ByteBuffer.allocateDirect(config.chunkFloats() * wire).order(ByteOrder.LITTLE_ENDIAN);
            this.sendWire = config.compression() == Compression.BF16
                    ? ByteBuffer.allocateDirect(config.chunkFloats() * wire).order(ByteOrder.LITTLE_ENDIAN) : null;
        } else {
            this.out = null;
            this.in = null;
            this.sender = null;
            this.recvWire = this.sendWire = null;
        }
    }

    /**
     * Longest a connection may take to authenticate on the listener (or the connect timeout when
     * shorter): a peer's handshake is three small frames, so a connection silent this long is a stranger.
     */
    static final int HANDSHAKE_DEADLINE_MS = 10_000;
    /** Handshakes the listener runs at once; a connection beyond them is closed unread. */
    static final int MAX_PENDING_HANDSHAKES = 32;

    /**
     * A server socket on an ephemeral port of {@code host} only (the address the peers are told,
     * not every interface of the machine); open it before the rendezvous.
     */
    public static ServerSocket openListener(String host) throws IOException {
        // From a channel, so accepted sockets have channels: data frames move through them.
        ServerSocket ss = ServerSocketChannel.open().socket();
        ss.setReuseAddress(true);
        ss.setReceiveBufferSize(SOCKET_BUFFER);
        try {
            ss.bind(new InetSocketAddress(InetAddress.getByName(host), 0), 16);
        } catch (IOException e) {
            ss.close();
            throw new IOException("collective: cannot listen on " + host + " (the address Spark gives this executor): "
                    + e.getMessage(), e);
        }
        return ss;
    }

    /** A listener on the loopback address (rings within one machine, tests). */
    public static ServerSocket openListener() throws IOException {
        return openListener(InetAddress.getLoopbackAddress().getHostAddress());
    }

    /**
     * Joins the ring: connects to rank+1 and accepts rank-1 on {@code listener}, both
     * authenticated with {@code secret}. Connections that fail the handshake are closed, logged and
     * skipped; the wait goes on until the real predecessor arrives or the accept timeout ends.
     *
     * @param peers    every rank's address, index = rank
     * @param listener opened by {@link #openListener()} before the addresses were exchanged;
     *                 closed by this call
     */
    public static RingCollective connect(int rank, List<PeerAddress> peers, byte[] secret, ServerSocket listener,
                                         CollectiveConfig config) throws IOException {
        int n = peers.size();
        if (n < 1) {
            throw new IllegalArgumentException("collective: the peer list is empty");
        }
        if (rank < 0 || rank >= n) {
            throw new IllegalArgumentException("collective: rank " + rank + " is outside 0.." + (n - 1));
        }
        for (int i = 0; i < n; i++) {
            if (peers.get(i).rank() != i) {
                throw new IllegalArgumentException("collective: peer list entry " + i + " is " + peers.get(i));
            }
        }
        if (secret == null || secret.length < 16) {
            throw new IllegalArgumentException("collective: the job secret must have at least 16 bytes, found "
                    + (secret == null ? "none" : secret.length));
        }
        if (n == 1) {
            listener.close();
            return new RingCollective(0, 1, config, null, null, null, null);
        }
        PeerAddress next = peers.get((rank + 1) % n);
        PeerAddress prev = peers.get((rank + n - 1) % n);
        // Accept in the background while connecting: every rank connects before it accepts, so
        // doing both in one thread would deadlock the ring on the handshake.
        CompletableFuture<Socket> accepted = new CompletableFuture<>();
        Thread acceptor = new Thread(() -> {
            try {
                accepted.complete(acceptPrev(rank, prev, secret, listener, config));
            } catch (Throwable t) {
                accepted.completeExceptionally(t);
            }
        }, "bragg-ring-accept-rank" + rank);
        acceptor.setDaemon(true);
        acceptor.start();
        Socket toNext = null;
        try {
            toNext = connectNext(rank, next, secret, config);
            Socket fromPrev = accepted.get();
            fromPrev.setSoTimeout(config.readTimeoutMs());
            LOG.info("rank {}: ring joined (next {}, prev {})", rank, next, prev);
            return new RingCollective(rank, n, config, next, prev, toNext, fromPrev);
        } catch (ExecutionException e) {
            closeQuietly(toNext);
            Throwable c = e.getCause();
            throw c instanceof IOException io ? io : new IOException("rank " + rank + ": accepting " + prev + " failed", c);
        } catch (InterruptedException e) {
            closeQuietly(toNext);
            Thread.currentThread().interrupt();
            throw new IOException("rank " + rank + ": interrupted while joining the ring", e);
        } catch (IOException | RuntimeException e) {
            closeQuietly(toNext);
            throw e;
        } finally {
            closeQuietly(listener);
        }
    }

    private static Socket connectNext(int rank, PeerAddress next, byte[] secret, CollectiveConfig config)
            throws IOException {
        long deadline = System.currentTimeMillis() + config.connectTimeoutMs();
        IOException last = null;
        while (System.currentTimeMillis() < deadline) {
            Socket s = SocketChannel.open().socket();
            try {
                s.setTcpNoDelay(true);
                s.setSendBufferSize(SOCKET_BUFFER);
                s.connect(new InetSocketAddress(next.host(), next.port()), config.connectTimeoutMs());
                s.setSoTimeout(config.connectTimeoutMs());
                OutputStream o = new BufferedOutputStream(s.getOutputStream());
                Handshake.connect(new DataInputStream(s.getInputStream()), o, secret, rank, config.compression(),
                        next.toString());
                return s;
            } catch (FrameException e) {
                closeQuietly(s);
                throw new IOException("rank " + rank + ": handshake with " + next + " failed: " + e.getMessage(), e);
            } catch (IOException e) {
                closeQuietly(s);
                last = e;
                try {
                    Thread.sleep(100);
                } catch (InterruptedException ie) {
                    Thread.currentThread().interrupt();
                    throw new IOException("rank " + rank + ": interrupted while connecting to " + next, ie);
                }
            }
        }
        throw new IOException("rank " + rank + ": cannot connect to " + next + " within "
                + config.connectTimeoutMs() + " ms: " + (last == null ? "timeout" : last.getMessage()), last);
    }

    /**
     * Accepts until the predecessor has authenticated. Each connection is handshaken on its own
     * thread, with {@link #HANDSHAKE_DEADLINE_MS} per read, so a stranger that connects and sends
     * nothing (or sends forever) holds only its own thread, never the real peer behind it.
     */
    private static Socket acceptPrev(int rank, PeerAddress prev, byte[] secret, ServerSocket listener,
                                     CollectiveConfig config) throws IOException {
        long deadline = System.currentTimeMillis() + config.acceptTimeoutMs();
        CompletableFuture<Socket> genuine = new CompletableFuture<>();
        AtomicInteger pending = new AtomicInteger();
        while (!genuine.isDone()) {
            long left = deadline - System.currentTimeMillis();
            if (left <= 0) {
                throw new IOException("rank " + rank + ": " + prev + " did not connect and authenticate within "
                        + config.acceptTimeoutMs() + " ms");
            }
            Socket s;
            try {
                listener.setSoTimeout((int) left);
                s = listener.accept();
            } catch (SocketTimeoutException e) {
                continue;
            } catch (IOException e) {
                if (genuine.isDone()) {
                    break; // the handshake thread closed the listener on success
                }
                throw e;
            }
            if (pending.incrementAndGet() > MAX_PENDING_HANDSHAKES) {
                pending.decrementAndGet();
                LOG.warn("rank {}: dropped a connection from {}: {} handshakes are already running", rank,
                        s.getRemoteSocketAddress(), MAX_PENDING_HANDSHAKES);
                closeQuietly(s);
                continue;
            }
            Thread t = new Thread(() -> {
                try {
                    if (handshake(rank, prev, secret, s, config)) {
                        if (genuine.complete(s)) {
                            closeQuietly(listener);
                        } else {
                            closeQuietly(s); // a second connection that authenticated as prev: the first one won
                        }
                    }
                } catch (IncompatiblePeerException e) {
                    // The real predecessor, misconfigured: waiting on would only end in the accept timeout.
                    closeQuietly(s);
                    if (genuine.completeExceptionally(new IOException("rank " + rank + ": " + e.getMessage(), e))) {
                        closeQuietly(listener);
                    }
                } finally {
                    pending.decrementAndGet();
                }
            }, "bragg-ring-handshake-rank" + rank);
            t.setDaemon(true);
            t.start();
        }
        try {
            return genuine.join();
        } catch (CompletionException e) {
            if (e.getCause() instanceof IOException io) {
                throw io;
            }
            throw e;
        }
    }

    /**
     * Serves the handshake on {@code s}; false (it is closed, its address logged once) when it is not the peer.
     *
     * @throws IncompatiblePeerException it is the peer, configured unlike this rank
     */
    private static boolean handshake(int rank, PeerAddress prev, byte[] secret, Socket s, CollectiveConfig config)
            throws IncompatiblePeerException {
        String who = "connection from " + s.getRemoteSocketAddress() + " (claiming to be " + prev + ")";
        try {
            s.setTcpNoDelay(true);
            s.setReceiveBufferSize(SOCKET_BUFFER);
            s.setSoTimeout(Math.min(config.connectTimeoutMs(), HANDSHAKE_DEADLINE_MS));
            Handshake.serve(new DataInputStream(new BufferedInputStream(s.getInputStream())),
                    new BufferedOutputStream(s.getOutputStream()), secret, prev.rank(), config.compression(), who);
            return true;
        } catch (IncompatiblePeerException e) {
            throw e;
        } catch (IOException e) {
            // A stranger, a wrong secret, garbage or silence: drop it; the listener goes on.
            LOG.warn("rank {}: rejected {}: {}", rank, who, e.getMessage());
            closeQuietly(s);
            return false;
        }
    }

    @Override
    public int rank() {
        return rank;
    }

    @Override
    public int worldSize() {
        return worldSize;
    }

    private int segStart(int off, int len, int s) {
        int base = len / worldSize;
        int rem = len % worldSize;
        return off + s * base + Math.min(s, rem);
    }

    private int segLen(int len, int s) {
        return len / worldSize + (s < len % worldSize ? 1 : 0);
    }

    /**
     * The heap-array entry point: one bulk copy into a direct staging buffer, the in-place ring
     * on it, one bulk copy back. Callers that own a direct buffer use {@link #allReduce(ByteBuffer, int, int)}.
     */
    @Override
    public void allReduce(float[] buf, int off, int len) throws IOException {
        if (off < 0 || len < 0 || off + len > buf.length) {
            throw new IllegalArgumentException("allReduce range [" + off + ", " + (off + len) + ") is outside a buffer of "
                    + buf.length);
        }
        if (worldSize == 1 || len == 0) {
            ensureUsable();
            return;
        }
        if (staging == null || staging.capacity() < 4 * len) {
            staging = ByteBuffer.allocateDirect(4 * len).order(ByteOrder.LITTLE_ENDIAN);
        }
        FloatBuffer f = staging.asFloatBuffer();
        f.put(0, buf, off, len);
        allReduce(staging, 0, len);
        f.get(0, buf, off, len);
    }

    /**
     * The ring in place on {@code buf}: frames are sent from it and, in the all-gather half
     * (without compression), received into it; only a frame that is added goes through one
     * chunk-sized receive buffer. Nothing is converted: the bytes on the wire are the buffer's.
     */
    @Override
    public void allReduce(ByteBuffer buf, int off, int len) throws IOException {
        ensureUsable();
        Collective.checkRange(buf, off, len);
        if (worldSize == 1 || len == 0) {
            return;
        }
        ByteBuffer g = buf.duplicate().clear().order(ByteOrder.LITTLE_ENDIAN);
        int n = worldSize;
        int steps = 2 * (n - 1);
        int chunk = config.chunkFloats();
        boolean bf16 = config.compression() == Compression.BF16;
        boolean inline = 4L * len <= INLINE_BYTES;
        Future<?> lastSend = null;
        try {
            // Step 0: our own segment goes out chunk by chunk.
            int s0 = sendSeg(0);
            for (int c = segStart(off, len, s0), end = c + segLen(len, s0); c < end; c += chunk) {
                lastSend = queueSend(g, c, Math.min(chunk, end - c), inline);
            }
            for (int t = 0; t < steps; t++) {
                int s = recvSeg(t);
                boolean reduce = t < n - 1;
                // The last reduce step completes the segment this rank then sends to all: with bf16 it
                // keeps the bf16 value it sends, so every rank ends with the same bits.
                boolean owner = bf16 && t == n - 2;
                for (int c = segStart(off, len, s), end = c + segLen(len, s); c < end; c += chunk) {
                    int m = Math.min(chunk, end - c);
                    if (reduce) {
                        receive(recvWire.clear().limit(m * config.compression().wireBytes));
                        if (bf16) {
                            Bf16Frames.addInto(g, 4 * c, recvWire, m, owner);
                        } else {
                            ChunkSum.addInto(g, 4 * c, recvWire, m);
                        }
                    } else if (bf16) {
                        receive(recvWire.clear().limit(m * 2));
                        Bf16Frames.decodeInto(g, 4 * c, recvWire, m);
                    } else {
                        receive(g.slice(4 * c, 4 * m));
                    }
                    if (t + 1 < steps) {
                        lastSend = queueSend(g, c, m, inline);
                    }
                }
            }
            if (lastSend != null) {
                lastSend.get();
            }
            IOException se = sendError.get();
            if (se != null) {
                throw se;
            }
        } catch (IOException e) {
            broken = true;
            IOException se = sendError.get();
            closeSockets();
            throw se != null && se != e ? withCause(se, e) : e;
        } catch (InterruptedException e) {
            broken = true;
            closeSockets();
            Thread.currentThread().interrupt();
            throw new IOException("rank " + rank + ": interrupted in allReduce", e);
        } catch (ExecutionException e) {
            broken = true;
            closeSockets();
            throw new IOException("rank " + rank + ": sending to " + next + " failed", e.getCause());
        }
    }

    private void ensureUsable() throws IOException {
        if (closed || broken) {
            throw new IOException("rank " + rank + ": collective is " + (closed ? "closed" : "broken by an earlier error"));
        }
    }

    private static IOException withCause(IOException primary, IOException secondary) {
        primary.addSuppressed(secondary);
        return primary;
    }

    private int sendSeg(int t) {
        int n = worldSize;
        return t < n - 1 ? Math.floorMod(rank - t, n) : Math.floorMod(rank + 1 - (t - (n - 1)), n);
    }

    private int recvSeg(int t) {
        int n = worldSize;
        return t < n - 1 ? Math.floorMod(rank - t - 1, n) : Math.floorMod(rank - (t - (n - 1)), n);
    }

    /**
     * All-reduces of at most this many bytes (the barrier, the loss, small buckets) send from the
     * calling thread, skipping the handoff to the sender thread on every hop. Safe without that
     * thread: a rank runs at most N-1 steps ahead of its successor, so at most the whole buffer is
     * ever unread between two ranks, and 16 KiB fits any TCP socket's buffers, so a blocking write
     * never waits for a peer that is itself waiting to write to us.
     */
    static final int INLINE_BYTES = 16 << 10;

    private static final Future<?> SENT = CompletableFuture.completedFuture(null);

    /**
     * Sends floats {@code [from, from+count)} of the buffer as the next frame: in place without
     * compression, else encoded into the frame buffer; by the sender thread, or by this one when
     * {@code inline}. A failure is kept in sendError and closes the sockets either way.
     */
    private Future<?> queueSend(ByteBuffer g, int from, int count, boolean inline) {
        int seq = sendSeq++;
        Runnable send = () -> {
            if (sendError.get() != null) {
                return;
            }
            try {
                if (sendWire == null) {
                    out.write(Frames.DATA, seq, g.slice(4 * from, 4 * count));
                } else {
                    Bf16Frames.encode(g, 4 * from, sendWire, count);
                    out.write(Frames.DATA, seq, sendWire.duplicate().limit(2 * count));
                }
            } catch (IOException e) {
                sendError.compareAndSet(null, new IOException("rank " + rank + ": sending frame " + seq + " to " + next
                        + " failed: " + e.getMessage(), e));
                // Unblocks our own reader, which would otherwise wait for the read timeout.
                closeSockets();
            }
        };
        if (inline) {
            send.run();
            return SENT;
        }
        return sender.submit(send);
    }

    /** Reads the next frame into {@code dst[position, limit)}. */
    private void receive(ByteBuffer dst) throws IOException {
        int seq = recvSeq++;
        try {
            in.read(Frames.DATA, seq, dst);
        } catch (SocketTimeoutException e) {
            throw new IOException("rank " + rank + ": no data from " + prev + " for " + config.readTimeoutMs()
                    + " ms (frame " + seq + "); the peer is dead or stuck", e);
        } catch (FrameException e) {
            LOG.warn("rank {}: closing the connection from {}: {}", rank, prev, e.getMessage());
            throw new IOException("rank " + rank + ": bad frame " + e.getMessage(), e);
        } catch (IOException e) {
            IOException se = sendError.get();
            if (se != null) {
                throw se;
            }
            throw new IOException("rank " + rank + ": reading frame " + seq + " from " + prev + " failed: " + e, e);
        }
    }

    @Override
    public void barrier() throws IOException {
        Collective.barrierBySum(this);
    }

    private void closeSockets() {
        closeQuietly(toNext);
        closeQuietly(fromPrev);
        closeQuietly(in);   // wakes our reader and lets the channel's close reach the peer
    }

    @Override
    public void close() {
        if (closed) {
            return;
        }
        closed = true;
        closeSockets();
        if (sender != null) {
            sender.shutdownNow();
        }
    }

    private static void closeQuietly(AutoCloseable c) {
        if (c != null) {
            try {
                c.close();
            } catch (Exception e) {
                LOG.debug("close failed: {}", e.toString());
            }
        }
    }
}
