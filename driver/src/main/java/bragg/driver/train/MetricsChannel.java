package bragg.driver.train;

import bragg.worker.train.StepMetrics;
import java.io.BufferedInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStreamWriter;
import java.io.Serializable;
import java.io.Writer;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.SecureRandom;
import java.util.HexFormat;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Consumer;
import org.apache.spark.SparkConf;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Live training progress from rank 0 to the driver. Spark hands task results back only when the
 * task ends, and a training task lasts the whole run, so rank 0 opens one TCP connection to this
 * channel on the driver and writes one {@link StepMetrics#csv()} line per step. The first line is
 * a random token from the task closure, so a stranger cannot feed the progress display.
 * Progress is best effort by design: the authoritative metrics come back with rank 0's result,
 * so a lost connection is logged and training goes on.
 */
public final class MetricsChannel implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(MetricsChannel.class);

    /** Where rank 0 sends its lines; travels in the task closure. */
    public record Endpoint(String host, int port, String token) implements Serializable {
    }

    /** Longest a connection may take to send the token. */
    static final int TOKEN_DEADLINE_MS = 10_000;
    /** Longest progress line accepted (a StepMetrics line is about 200 characters). */
    static final int MAX_LINE_CHARS = 16 * 1024;
    /** Connections waiting to authenticate at once; more are closed unread. */
    static final int MAX_PENDING = 16;

    private final ServerSocket server;
    private final Endpoint endpoint;
    private final Thread acceptor;
    private volatile long lastStep = -1;

    private MetricsChannel(ServerSocket server, Endpoint endpoint, Consumer<StepMetrics> sink) {
        this.server = server;
        this.endpoint = endpoint;
        this.acceptor = new Thread(() -> acceptLoop(sink), "bragg-metrics-channel");
        acceptor.setDaemon(true);
        acceptor.start();
    }

    /** Listens on the driver's host ({@code spark.driver.host}, the address executors already reach). */
    public static MetricsChannel open(SparkConf conf, Consumer<StepMetrics> sink) throws IOException {
        String host = conf.get("spark.driver.host", InetAddress.getLocalHost().getHostAddress());
        ServerSocket ss = new ServerSocket();
        ss.bind(new InetSocketAddress(InetAddress.getByName(host), 0), 4);
        byte[] t = new byte[24];
        new SecureRandom().nextBytes(t);
        return new MetricsChannel(ss, new Endpoint(host, ss.getLocalPort(), HexFormat.of().formatHex(t)), sink);
    }

    /**
     * Waits until step {@code step} has been forwarded, at most {@code timeoutMs}: rank 0's last
     * lines may still be on the wire when its task result reaches the driver.
     */
    public void awaitStep(long step, long timeoutMs) throws InterruptedException {
        long deadline = System.currentTimeMillis() + timeoutMs;
        while (lastStep < step && System.currentTimeMillis() < deadline) {
            Thread.sleep(10);
        }
    }

    public Endpoint endpoint() {
        return endpoint;
    }

    private void acceptLoop(Consumer<StepMetrics> sink) {
        AtomicInteger pending = new AtomicInteger();
        while (!server.isClosed()) {
            Socket s;
            try {
                s = server.accept();
            } catch (IOException e) {
                if (!server.isClosed()) {
                    LOG.warn("metrics channel: accept failed: {}", e.getMessage());
                }
                continue;
            }
            if (pending.incrementAndGet() > MAX_PENDING) {
                pending.decrementAndGet();
                LOG.warn("metrics channel: dropped a connection from {}: {} are already waiting to authenticate",
                        s.getRemoteSocketAddress(), MAX_PENDING);
                closeQuietly(s);
                continue;
            }
            // One thread per connection, so a stranger that connects and stays silent (or sends a
            // line without end) holds only its own thread, never rank 0's connection behind it.
            Thread t = new Thread(() -> serve(s, sink, pending), "bragg-metrics-connection");
            t.setDaemon(true);
            t.start();
        }
    }

    private void serve(Socket s, Consumer<StepMetrics> sink, AtomicInteger pending) {
        boolean authenticated = false;
        try (s; InputStream in = new BufferedInputStream(s.getInputStream())) {
            s.setSoTimeout(TOKEN_DEADLINE_MS);
            String first = readLine(in, endpoint.token().length());
            if (first == null || !MessageDigest.isEqual(first.getBytes(StandardCharsets.UTF_8),
                    endpoint.token().getBytes(StandardCharsets.UTF_8))) {
                LOG.warn("metrics channel: rejected a connection from {} without the job's token", s.getRemoteSocketAddress());
                return;
            }
            authenticated = true;
            pending.decrementAndGet();
            s.setSoTimeout(0); // rank 0 may be quiet for a long step
            for (String line; (line = readLine(in, MAX_LINE_CHARS)) != null; ) {
                StepMetrics m = StepMetrics.parseCsv(line);
                synchronized (this) {
                    // A resumed attempt re-runs the steps after its checkpoint: show each step once.
                    if (m.step() > lastStep) {
                        lastStep = m.step();
                        sink.accept(m);
                    }
                }
            }
        } catch (java.net.SocketTimeoutException e) {
            LOG.warn("metrics channel: rejected a connection from {} that sent no token within {} ms",
                    s.getRemoteSocketAddress(), TOKEN_DEADLINE_MS);
        } catch (IOException | RuntimeException e) {
            if (!server.isClosed()) {
                LOG.warn("metrics channel: closed the connection from {}: {} (progress lines may pause; the final "
                        + "metrics come with the result)", s.getRemoteSocketAddress(), e.getMessage());
            }
        } finally {
            if (!authenticated) {
                pending.decrementAndGet();
            }
        }
    }

    /**
     * One '\n'-terminated UTF-8 line of at most {@code max} characters (a '\r' before the '\n' is
     * dropped), or null at the end of the stream; a longer line is an error before it is buffered.
     */
    static String readLine(InputStream in, int max) throws IOException {
        java.io.ByteArrayOutputStream b = new java.io.ByteArrayOutputStream(Math.min(max, 256));
        for (int c; (c = in.read()) >= 0; ) {
            if (c == '\n') {
                byte[] bytes = b.toByteArray();
                int n = bytes.length > 0 && bytes[bytes.length - 1] == '\r' ? bytes.length - 1 : bytes.length;
                if (n > max) {
                    break;
                }
                return new String(bytes, 0, n, StandardCharsets.UTF_8);
            }
            if (b.size() > max) { // max + 1 bytes is room for a '\r'
                break;
            }
            b.write(c);
        }
        if (b.size() > max) {
            throw new IOException("a line longer than " + max + " characters");
        }
        if (b.size() > 0) {
            throw new IOException("the connection ended inside a line");
        }
        return null;
    }

    private static void closeQuietly(Socket s) {
        try {
            s.close();
        } catch (IOException e) {
            LOG.debug("close failed: {}", e.toString());
        }
    }

    /**
     * Rank 0's side: writes each step to the driver. A failure to connect or write is logged once
     * and turns the sender off; it never fails training.
     */
    public static final class Sender implements Consumer<StepMetrics>, AutoCloseable {
        private final Socket socket = new Socket();
        private Writer out;

        public Sender(Endpoint e) {
            try {
                socket.connect(new InetSocketAddress(e.host(), e.port()), 10_000);
                out = new OutputStreamWriter(socket.getOutputStream(), StandardCharsets.UTF_8);
                out.write(e.token() + "\n");
                out.flush();
            } catch (IOException ex) {
                LOG.warn("rank 0: no live progress, cannot reach the driver's metrics channel at {}:{}: {}", e.host(),
                        e.port(), ex.getMessage());
                out = null;
            }
        }

        @Override
        public void accept(StepMetrics m) {
            if (out == null) {
                return;
            }
            try {
                out.write(m.csv() + "\n");
                out.flush();
            } catch (IOException ex) {
                out = null;
                LOG.warn("rank 0: live progress stopped, the metrics channel failed: {}", ex.getMessage());
            }
        }

        @Override
        public void close() throws IOException {
            socket.close();
        }
    }

    @Override
    public void close() throws IOException {
        server.close();
        acceptor.interrupt();
    }
}
