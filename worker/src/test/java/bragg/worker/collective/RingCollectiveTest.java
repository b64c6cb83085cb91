package bragg.worker.collective;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.ServerSocket;
import java.net.Socket;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;

/** The ring in threads of one JVM: sums, odd sizes, rogue peers, dead peers. */
class RingCollectiveTest {

    private static float[] data(int rank, int len) {
        Random rnd = new Random(1000L * rank + len);
        float[] a = new float[len];
        for (int i = 0; i < len; i++) {
            a[i] = (float) rnd.nextGaussian();
        }
        return a;
    }

    @Test
    void sumsAnySizeWithSmallChunksBitIdentical() throws Exception {
        // Small chunks so that every segment is pipelined over several frames.
        CollectiveConfig cfg = CollectiveConfig.DEFAULT.withChunkFloats(7);
        for (int n = 1; n <= 4; n++) {
            for (int len : new int[] {1, 2, 3, 13, 97, 1000}) {
                int fn = n;
                List<float[]> out = RingHarness.run(n, cfg, RingHarness.listeners(n), c -> {
                    float[] buf = data(c.rank(), len + 5);
                    c.allReduce(buf, 5, len);
                    c.barrier();
                    return buf;
                });
                for (int i = 0; i < len; i++) {
                    double sum = 0;
                    for (int r = 0; r < fn; r++) {
                        sum += data(r, len + 5)[5 + i];
                    }
                    assertEquals(sum, out.get(0)[5 + i], 1e-5 * fn, "n=" + n + " len=" + len + " i=" + i);
                }
                for (int r = 1; r < n; r++) {
                    assertArrayEquals(java.util.Arrays.copyOfRange(out.get(0), 5, 5 + len),
                            java.util.Arrays.copyOfRange(out.get(r), 5, 5 + len), "rank " + r + " differs from rank 0, n=" + n + " len=" + len);
                    for (int i = 0; i < 5; i++) {
                        assertEquals(data(r, len + 5)[i], out.get(r)[i], "outside the range was touched");
                    }
                }
            }
        }
    }

    @Test
    void wrongSecretAndOversizeAndGarbagePeersAreRejectedAndRingStillWorks() throws Exception {
        List<ServerSocket> ls = RingHarness.listeners(2);
        List<PeerAddress> peers = List.of(new PeerAddress(0, "127.0.0.1", ls.get(0).getLocalPort()),
                new PeerAddress(1, "127.0.0.1", ls.get(1).getLocalPort()));
        int port = ls.get(1).getLocalPort();
        java.util.concurrent.ExecutorService pool = java.util.concurrent.Executors.newFixedThreadPool(2);
        try {
            // Rank 1 starts waiting for rank 0; three strangers knock first.
            java.util.concurrent.Future<float[]> r1 = pool.submit(() -> {
                try (RingCollective c = RingCollective.connect(1, peers, RingHarness.SECRET, ls.get(1), CollectiveConfig.DEFAULT)) {
                    float[] b = {2f, 10f};
                    c.allReduce(b, 0, 2);
                    return b;
                }
            });
            try (Socket s = new Socket("127.0.0.1", port)) {   // wrong secret
                s.setSoTimeout(10_000);
                DataInputStream in = new DataInputStream(s.getInputStream());
                OutputStream o = s.getOutputStream();
                assertThrows(IOException.class, () -> Handshake.connect(in, o, "wrong-secret-wrong-secret".getBytes(), 0, "r1"));
            }
            try (Socket s = new Socket("127.0.0.1", port)) {   // claims a 2 GB hello
                s.setSoTimeout(10_000);
                DataOutputStream o = new DataOutputStream(s.getOutputStream());
                o.writeInt(Frames.MAGIC);
                o.writeByte(Frames.HELLO);
                o.writeInt(0);
                o.writeInt(Integer.MAX_VALUE);
                o.flush();
                assertEquals(CHALLENGE_FRAME_BYTES, bytesBeforeClose(s.getInputStream()),
                        "the listener sends its challenge, then closes on the oversize hello");
            }
            try (Socket s = new Socket("127.0.0.1", port)) {   // garbage
                s.setSoTimeout(10_000);
                s.getOutputStream().write("GET / HTTP/1.1\r\n\r\n".getBytes());
                assertEquals(CHALLENGE_FRAME_BYTES, bytesBeforeClose(s.getInputStream()),
                        "the listener sends its challenge, then closes on garbage");
            }
            java.util.concurrent.Future<float[]> r0 = pool.submit(() -> {
                try (RingCollective c = RingCollective.connect(0, peers, RingHarness.SECRET, ls.get(0), CollectiveConfig.DEFAULT)) {
                    float[] b = {1f, 10f};
                    c.allReduce(b, 0, 2);
                    return b;
                }
            });
            assertArrayEquals(new float[] {3f, 20f}, r0.get(60, java.util.concurrent.TimeUnit.SECONDS));
            assertArrayEquals(new float[] {3f, 20f}, r1.get(60, java.util.concurrent.TimeUnit.SECONDS));
        } finally {
            pool.shutdownNow();
        }
    }

    /**
     * Strangers that connect first and then send nothing, or bytes without end, must not delay
     * the real peer: the ring forms and sums long before a stranger's handshake deadline.
     */
    @Test
    void idleAndEndlessStrangersDoNotDelayTheRealPeer() throws Exception {
        List<ServerSocket> ls = RingHarness.listeners(2);
        int port = ls.get(1).getLocalPort();
        Socket idle = new Socket("127.0.0.1", port);
        Socket endless = new Socket("127.0.0.1", port);
        Thread flood = new Thread(() -> {
            byte[] junk = new byte[4096];
            java.util.Arrays.fill(junk, (byte) 'x');
            try {
                OutputStream o = endless.getOutputStream();
                while (true) {
                    o.write(junk);
                }
            } catch (IOException e) {
                // the listener hung up on it
            }
        });
        flood.setDaemon(true);
        flood.start();
        try {
            CollectiveConfig cfg = CollectiveConfig.DEFAULT.withConnectTimeoutMs(60_000);
            long t0 = System.nanoTime();
            List<float[]> out = RingHarness.run(2, cfg, ls, c -> {
                float[] b = {c.rank() + 1f};
                c.allReduce(b, 0, 1);
                return b;
            });
            long ms = (System.nanoTime() - t0) / 1_000_000;
            assertEquals(3f, out.get(0)[0]);
            assertEquals(3f, out.get(1)[0]);
            assertTrue(ms < 5_000, "the ring took " + ms + " ms to form with two strangers on rank 1's port");
            idle.setSoTimeout(RingCollective.HANDSHAKE_DEADLINE_MS + 10_000);
            assertEquals(CHALLENGE_FRAME_BYTES, bytesBeforeClose(idle.getInputStream()),
                    "the idle stranger got the challenge, then was hung up on at the handshake deadline");
        } finally {
            idle.close();
            endless.close();
        }
    }

    @Test
    void theListenerBindsToTheGivenAddressOnly() throws Exception {
        try (ServerSocket s = RingCollective.openListener("127.0.0.1")) {
            assertEquals("127.0.0.1", s.getInetAddress().getHostAddress());
        }
        IOException e = assertThrows(IOException.class, () -> RingCollective.openListener("192.0.2.1"));
        assertTrue(e.getMessage().contains("192.0.2.1"), e.getMessage()); // TEST-NET-1: never an address of this machine
    }

    /** Header, 32-byte nonce, checksum: all a stranger may get before the listener hangs up. */
    private static final int CHALLENGE_FRAME_BYTES = Frames.HEADER_BYTES + Handshake.NONCE + 4;

    /**
     * Counts what the server sends until it closes the connection; fails when it keeps it open
     * past the socket's read timeout.
     */
    private static int bytesBeforeClose(InputStream in) throws IOException {
        byte[] b = new byte[1024];
        int total = 0;
        try {
            for (int r; (r = in.read(b)) >= 0; ) {
                total += r;
            }
        } catch (java.net.SocketTimeoutException e) {
            throw new AssertionError("the listener kept the connection open after " + total + " bytes", e);
        } catch (java.net.SocketException e) {
            // a reset instead of a clean close is a close too
        }
        return total;
    }

    @Test
    void oversizeFrameIsRejectedBeforeAllocating() {
        byte[] header = java.nio.ByteBuffer.allocate(13).putInt(Frames.MAGIC).put(Frames.DATA).putInt(0)
                .putInt(Integer.MAX_VALUE - 8).array();
        DataInputStream in = new DataInputStream(new java.io.ByteArrayInputStream(header));
        FrameException e = assertThrows(FrameException.class,
                () -> Frames.read(in, Frames.DATA, 0, new byte[16], 16, "rank 3 at h:1"));
        assertTrue(e.getMessage().contains("rank 3 at h:1") && e.getMessage().contains("out of bounds"), e.getMessage());
    }

    @Test
    void corruptPayloadFailsTheChecksum() throws Exception {
        java.io.ByteArrayOutputStream bo = new java.io.ByteArrayOutputStream();
        Frames.write(bo, Frames.DATA, 4, new byte[] {1, 2, 3, 4}, 4);
        byte[] f = bo.toByteArray();
        f[14] ^= 1;
        FrameException e = assertThrows(FrameException.class, () -> Frames.read(
                new DataInputStream(new java.io.ByteArrayInputStream(f)), Frames.DATA, 4, new byte[4], 4, "rank 1 at x:2"));
        assertTrue(e.getMessage().contains("checksum"), e.getMessage());
    }

    /**
     * Rank 1 leaves between two calls. Rank 2 reads from it and must name it (host and port);
     * rank 0 must fail too rather than hang (it may learn of the loss through rank 2 first).
     */
    @Test
    void deadPeerFailsTheOthersAndItsSuccessorNamesIt() throws Exception {
        CollectiveConfig cfg = CollectiveConfig.DEFAULT.withReadTimeoutMs(3000);
        List<ServerSocket> ls = RingHarness.listeners(3);
        String dead = RingHarness.peers(ls).get(1).toString();
        long t0 = System.nanoTime();
        List<Throwable> failed = RingHarness.failures(3, cfg, ls, c -> {
            float[] b = new float[100_000];
            c.allReduce(b, 0, b.length);
            if (c.rank() == 1) {
                c.close(); // rank 1 dies between two calls
                return b;
            }
            c.allReduce(b, 0, b.length);
            return b;
        });
        long ms = (System.nanoTime() - t0) / 1_000_000;
        assertEquals(null, failed.get(1), "rank 1 itself returned normally");
        assertInstanceOf(IOException.class, failed.get(0), "rank 0 must fail");
        assertInstanceOf(IOException.class, failed.get(2), "rank 2 must fail");
        assertTrue(failed.get(2).getMessage().contains(dead), "rank 2's error must name " + dead + ": "
                + failed.get(2).getMessage());
        assertTrue(failed.get(0).getMessage().startsWith("rank 0: "), failed.get(0).getMessage());
        assertTrue(ms < 2 * 3000 + 5000, "the survivors took " + ms + " ms to fail (read timeout 3000 ms)");
    }
}
