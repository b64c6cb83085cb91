package bragg.driver.train;

import bragg.worker.train.StepMetrics;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
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
        while (!server.isClosed()) {
            try (Socket s = server.accept();
                 BufferedReader in = new BufferedReader(new InputStreamReader(s.getInputStream(), StandardCharsets.UTF_8))) {
                String first = in.readLine();
                if (first == null || !MessageDigest.isEqual(first.getBytes(StandardCharsets.UTF_8),
                        endpoint.token().getBytes(StandardCharsets.UTF_8))) {
                    LOG.warn("metrics channel: rejected a connection from {} without the job's token", s.getRemoteSocketAddress());
                    continue;
                }
                for (String line; (line = in.readLine()) != null; ) {
                    StepMetrics m = StepMetrics.parseCsv(line);
                    // A resumed attempt re-runs the steps after its checkpoint: show each step once.
                    if (m.step() > lastStep) {
                        lastStep = m.step();
                        sink.accept(m);
                    }
                }
            } catch (IOException | RuntimeException e) {
                if (!server.isClosed()) {
                    LOG.warn("metrics channel: {} (progress lines may pause; the final metrics come with the result)",
                            e.getMessage());
                }
            }
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
