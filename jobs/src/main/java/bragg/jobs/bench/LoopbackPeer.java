package bragg.jobs.bench;

import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.util.concurrent.CompletableFuture;

/**
 * The far end of the loopback bandwidth measurement, in its own JVM: prints its port, accepts
 * one connection, reads until end of stream, answers the byte count, exits. One TCP stream
 * between two JVMs is the limit a ring step between two executors on one host can reach.
 *
 * <p>With argument {@code duplex <bytes>} it also sends {@code bytes} back while it reads: two
 * streams at once, one each way, which is what a 2-rank ring does (each rank sends and receives
 * at the same time), so on a host with few cores it is the limit of that ring's pattern.
 */
public final class LoopbackPeer {
    static final int CHUNK = 1 << 20;

    private LoopbackPeer() {
    }

    public static void main(String[] args) throws Exception {
        long duplexBytes = args.length == 2 && args[0].equals("duplex") ? Long.parseLong(args[1]) : 0;
        try (ServerSocket ss = new ServerSocket()) {
            ss.setReceiveBufferSize(4 << 20);
            ss.bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0));
            System.out.println("port " + ss.getLocalPort());
            System.out.flush();
            try (Socket s = ss.accept()) {
                serve(s, duplexBytes);
            }
        }
    }

    /**
     * The receiving end of one measurement: reads to the end of the stream (sending duplexBytes
     * back meanwhile, when > 0), then answers the byte count it read.
     */
    static void serve(Socket s, long duplexBytes) throws IOException, InterruptedException {
        s.setSendBufferSize(4 << 20);
        Thread back = null;
        if (duplexBytes > 0) {
            back = new Thread(() -> send(s, duplexBytes), "loopback-peer-send");
            back.start();
        }
        long total = drain(s.getInputStream());
        if (back != null) {
            back.join();
        }
        DataOutputStream out = new DataOutputStream(s.getOutputStream());
        out.writeLong(total);
        out.flush();
    }

    /**
     * The sending end: sends bytes to a peer that {@link #serve}s (reading as many back with
     * duplex), checks both counts; returns GB/s of one direction.
     */
    static double stream(Socket s, long bytes, boolean duplex) throws IOException {
        s.setSendBufferSize(4 << 20);
        s.setReceiveBufferSize(4 << 20);
        DataInputStream in = new DataInputStream(s.getInputStream());
        long t0 = System.nanoTime();
        CompletableFuture<Long> back = duplex ? CompletableFuture.supplyAsync(() -> read(in, bytes)) : CompletableFuture.completedFuture(bytes);
        send(s, bytes);
        s.shutdownOutput();
        long returned = back.join();
        long got = in.readLong();
        double secs = (System.nanoTime() - t0) / 1e9;
        if (got != bytes || returned != bytes) {
            throw new IOException("loopback: the peer received " + got + " bytes and sent back " + returned + ", " + bytes + " expected");
        }
        return bytes / secs / 1e9;
    }

    /** Writes {@code bytes} in 1 MiB writes; an error ends the measurement on the other side. */
    static void send(Socket s, long bytes) {
        try {
            byte[] chunk = new byte[CHUNK];
            OutputStream out = s.getOutputStream();
            for (long sent = 0; sent < bytes; sent += chunk.length) {
                out.write(chunk);
            }
            out.flush();
        } catch (IOException e) {
            throw new IllegalStateException("loopback send failed after connecting: " + e, e);
        }
    }

    /** Reads bytes (fewer if the stream ends first) for the stream coming back; returns how many came. */
    static long read(InputStream in, long bytes) {
        byte[] buf = new byte[CHUNK];
        long got = 0;
        try {
            while (got < bytes) {
                int n = in.read(buf, 0, (int) Math.min(buf.length, bytes - got));
                if (n < 0) break;
                got += n;
            }
            return got;
        } catch (IOException e) {
            throw new IllegalStateException("loopback: reading the peer's stream failed: " + e, e);
        }
    }

    /** Reads until end of stream; returns the bytes read. */
    static long drain(InputStream in) throws IOException {
        byte[] buf = new byte[CHUNK];
        long total = 0;
        for (int n; (n = in.read(buf)) > 0; ) {
            total += n;
        }
        return total;
    }
}
