package bragg.jobs.cluster;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.ServerSocket;

/**
 * A TCP port on 127.0.0.1 that was free a moment ago. Only for the Master's two ports, which
 * its Workers and the test must know in advance; every other port is 0 (chosen by the process).
 */
final class FreePort {
    private FreePort() {
    }

    static int next() {
        try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            return s.getLocalPort();
        } catch (IOException e) {
            throw new UncheckedIOException("no free TCP port on 127.0.0.1", e);
        }
    }
}
