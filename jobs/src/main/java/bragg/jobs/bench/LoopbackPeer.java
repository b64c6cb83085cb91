package bragg.jobs.bench;

import java.io.DataOutputStream;
import java.io.InputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;

/**
 * The far end of the loopback bandwidth measurement, in its own JVM: prints its port, accepts
 * one connection, reads until end of stream, answers the byte count, exits. One TCP stream
 * between two JVMs is the limit a ring step between two executors on one host can reach.
 */
public final class LoopbackPeer {
    private LoopbackPeer() {
    }

    public static void main(String[] args) throws Exception {
        try (ServerSocket ss = new ServerSocket()) {
            ss.setReceiveBufferSize(4 << 20);
            ss.bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0));
            System.out.println("port " + ss.getLocalPort());
            System.out.flush();
            try (Socket s = ss.accept()) {
                InputStream in = s.getInputStream();
                byte[] buf = new byte[1 << 20];
                long total = 0;
                for (int n; (n = in.read(buf)) > 0; ) {
                    total += n;
                }
                DataOutputStream out = new DataOutputStream(s.getOutputStream());
                out.writeLong(total);
                out.flush();
            }
        }
    }
}
