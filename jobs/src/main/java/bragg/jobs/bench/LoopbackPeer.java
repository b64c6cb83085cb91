package bragg.jobs.bench;

import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.io.Serializable;
import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.ByteBuffer;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.util.concurrent.CompletableFuture;

/**
 * The far end of the loopback bandwidth measurement, in its own JVM: prints its port, accepts
 * one connection, reads until end of stream, answers the byte count and the CPU time its
 * reading took, exits. One TCP stream between two JVMs is the limit a ring step between two
 * executors on one host can reach. Both ends move the bytes as the ring does: direct buffers
 * through socket channels, so the stream pays no copy the ring does not (a byte[] through a
 * socket's stream is copied once more into a direct buffer by the JDK on each side).
 *
 * <p>With argument {@code duplex <bytes>} it also sends {@code bytes} back while it reads: two
 * streams at once, one each way, which is what a 2-rank ring does (each rank sends and receives
 * at the same time), so on a host with few cores it is the limit of that ring's pattern.
 */
public final class LoopbackPeer {
    static final int CHUNK = 1 << 20;
    private static final ThreadMXBean THREADS = ManagementFactory.getThreadMXBean();

    private LoopbackPeer() {
    }

    /**
     * One stream: GB/s of one direction and, one way only, the CPU seconds per GB its sending and
     * its receiving thread spent (NaN with duplex, where each end does both).
     */
    static final class Result implements Serializable {
        final double gbps;
        final double sendCpuSPerGb;
        final double recvCpuSPerGb;

        Result(double gbps, double sendCpuSPerGb, double recvCpuSPerGb) {
            this.gbps = gbps;
            this.sendCpuSPerGb = sendCpuSPerGb;
            this.recvCpuSPerGb = recvCpuSPerGb;
        }

        /**
         * The most a 2-rank ring can reach of this stream when each rank has one core for both
         * directions: per byte, a rank's core pays the stream's sending and its receiving cost,
         * where the stream spreads them over two cores; the ring's busbw is then at most
         * 1 / (send + recv) against this stream's gbps.
         */
        double oneCoreRingBound() {
            return 1 / ((sendCpuSPerGb + recvCpuSPerGb) * gbps);
        }
    }

    public static void main(String[] args) throws Exception {
        long duplexBytes = args.length == 2 && args[0].equals("duplex") ? Long.parseLong(args[1]) : 0;
        try (ServerSocket ss = listener(InetAddress.getLoopbackAddress())) {
            System.out.println("port " + ss.getLocalPort());
            System.out.flush();
            try (Socket s = ss.accept()) {
                serve(s, duplexBytes);
            }
        }
    }

    /** A listener on an ephemeral port of host whose accepted sockets have channels. */
    static ServerSocket listener(InetAddress host) throws IOException {
        ServerSocket ss = ServerSocketChannel.open().socket();
        ss.setReceiveBufferSize(4 << 20);
        ss.bind(new InetSocketAddress(host, 0));
        return ss;
    }

    /** A connected socket with a channel, to a {@link #serve}ing peer. */
    static Socket connect(InetSocketAddress peer) throws IOException {
        return SocketChannel.open(peer).socket();
    }

    /**
     * The receiving end of one measurement: reads to the end of the stream (sending duplexBytes
     * back meanwhile, when > 0), then answers the byte count it read and the CPU nanoseconds of
     * the reading thread.
     */
    static void serve(Socket s, long duplexBytes) throws IOException, InterruptedException {
        s.setSendBufferSize(4 << 20);
        Thread back = null;
        if (duplexBytes > 0) {
            back = new Thread(() -> send(s.getChannel(), duplexBytes), "loopback-peer-send");
            back.start();
        }
        long c0 = THREADS.getCurrentThreadCpuTime();
        long total = read(s.getChannel(), Long.MAX_VALUE);
        long cpu = THREADS.getCurrentThreadCpuTime() - c0;
        if (back != null) {
            back.join();
        }
        DataOutputStream out = new DataOutputStream(s.getOutputStream());
        out.writeLong(total);
        out.writeLong(cpu);
        out.flush();
    }

    /**
     * The sending end: sends bytes to a peer that {@link #serve}s (reading as many back with
     * duplex), checks both counts.
     */
    static Result stream(Socket s, long bytes, boolean duplex) throws IOException {
        s.setSendBufferSize(4 << 20);
        s.setReceiveBufferSize(4 << 20);
        SocketChannel ch = s.getChannel();
        long t0 = System.nanoTime();
        CompletableFuture<Long> back = duplex ? CompletableFuture.supplyAsync(() -> read(ch, bytes)) : CompletableFuture.completedFuture(bytes);
        long c0 = THREADS.getCurrentThreadCpuTime();
        send(ch, bytes);
        long sendCpu = THREADS.getCurrentThreadCpuTime() - c0;
        s.shutdownOutput();
        long returned = back.join();
        DataInputStream in = new DataInputStream(s.getInputStream());
        long got = in.readLong();
        long recvCpu = in.readLong();
        double secs = (System.nanoTime() - t0) / 1e9;
        if (got != bytes || returned != bytes) {
            throw new IOException("loopback: the peer received " + got + " bytes and sent back " + returned + ", " + bytes + " expected");
        }
        double gb = bytes / 1e9;
        return duplex ? new Result(gb / secs, Double.NaN, Double.NaN) : new Result(gb / secs, sendCpu / 1e9 / gb, recvCpu / 1e9 / gb);
    }

    /** Writes {@code bytes} from one 1 MiB direct buffer; an error ends the measurement on the other side. */
    static void send(SocketChannel ch, long bytes) {
        try {
            ByteBuffer chunk = ByteBuffer.allocateDirect(CHUNK);
            for (long sent = 0; sent < bytes; ) {
                chunk.clear().limit((int) Math.min(CHUNK, bytes - sent));
                while (chunk.hasRemaining()) {
                    sent += ch.write(chunk);
                }
            }
        } catch (IOException e) {
            throw new IllegalStateException("loopback send failed after connecting: " + e, e);
        }
    }

    /** Reads up to {@code bytes} (fewer if the stream ends first) into one direct buffer; returns how many came. */
    static long read(SocketChannel ch, long bytes) {
        ByteBuffer buf = ByteBuffer.allocateDirect(CHUNK);
        long got = 0;
        try {
            while (got < bytes) {
                buf.clear().limit((int) Math.min(CHUNK, bytes - got));
                int n = ch.read(buf);
                if (n < 0) break;
                got += n;
            }
            return got;
        } catch (IOException e) {
            throw new IllegalStateException("loopback: reading the peer's stream failed: " + e, e);
        }
    }
}
