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
import org.junit.jupiter.api.Test;

/** The ring in threads of one JVM: sums, odd sizes, rogue peers, dead peers. */
class RingCollectiveTest {

    private static float[] data(int rank, int len) {
        return RingHarness.data(rank, len);
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

    /** The in-place path on direct buffers gives the float[] path's bits, and leaves the rest of the buffer alone. */
    @Test
    void sumsInPlaceOnDirectBuffersWithTheArrayPathsBits() throws Exception {
        CollectiveConfig cfg = CollectiveConfig.DEFAULT.withChunkFloats(5);
        for (int n = 2; n <= 4; n++) {
            for (int len : new int[] {1, 3, 97, 1000}) {
                List<float[][]> out = RingHarness.run(n, cfg, RingHarness.listeners(n), c -> {
                    float[] arr = data(c.rank(), len + 5);
                    java.nio.ByteBuffer direct = java.nio.ByteBuffer.allocateDirect(4 * (len + 5))
                            .order(java.nio.ByteOrder.LITTLE_ENDIAN);
                    direct.asFloatBuffer().put(arr);
                    direct.position(8).limit(12);   // ignored: the range counts from byte 0
                    c.allReduce(direct, 5, len);
                    c.allReduce(arr, 5, len);
                    float[] got = new float[len + 5];
                    direct.clear();
                    direct.asFloatBuffer().get(got);
                    return new float[][] {arr, got};
                });
                for (int r = 0; r < n; r++) {
                    assertArrayEquals(java.util.Arrays.copyOfRange(out.get(0)[0], 5, 5 + len),
                            java.util.Arrays.copyOfRange(out.get(r)[1], 5, 5 + len), "rank " + r + ", n=" + n + " len=" + len);
                    for (int i = 0; i < 5; i++) {
                        assertEquals(data(r, len + 5)[i], out.get(r)[1][i], "outside the range was touched");
                    }
                }
            }
        }
    }

    /**
     * bf16 on the wire: every rank ends with the same bits, each a bf16 value, within bf16's
     * rounding of the exact sum (one rounding per hop, N-1 hops and the final one).
     */
    @Test
    void bf16SumsAreBitIdenticalOnEveryRankAndCloseToTheFloat32Sum() throws Exception {
        CollectiveConfig cfg = CollectiveConfig.DEFAULT.withChunkFloats(7).withCompression(Compression.BF16);
        for (int n = 2; n <= 4; n++) {
            int len = 1001;
            int fn = n;
            List<float[]> out = RingHarness.run(n, cfg, RingHarness.listeners(n), c -> {
                float[] buf = data(c.rank(), len);
                c.allReduce(buf, 0, len);
                return buf;
            });
            for (int r = 1; r < n; r++) {
                assertArrayEquals(out.get(0), out.get(r), "rank " + r + " differs from rank 0 with bf16, n=" + n);
            }
            for (int i = 0; i < len; i++) {
                double sum = 0;
                double mag = 0;
                for (int r = 0; r < fn; r++) {
                    sum += data(r, len)[i];
                    mag += Math.abs(data(r, len)[i]);
                }
                float got = out.get(0)[i];
                assertEquals(0, Float.floatToRawIntBits(got) & 0xffff, "not a bf16 value at " + i + ": " + got);
                // each of the n roundings is at most half a bf16 ulp (2^-8 relative) of a partial sum <= mag
                assertEquals(sum, got, fn * mag * 0x1p-8, "n=" + n + " i=" + i);
            }
        }
    }

    @Test
    void bf16RoundsToNearestEvenAndKeepsSpecialValues() {
        assertEquals(0x3f80, Bf16.encode(1f) & 0xffff);
        // 1 + 2^-8 is halfway between 1 and 1 + 2^-7: ties go to the even mantissa (1)
        assertEquals(1f, Bf16.round(1f + 0x1p-8f));
        assertEquals(1f + 0x1p-6f, Bf16.round(1f + 0x1p-7f + 0x1p-8f));   // tie, odd below: rounds up
        assertEquals(1f + 0x1p-7f, Bf16.round(1f + 0x1p-8f + 0x1p-12f)); // above half: up
        assertEquals(-2.5f, Bf16.round(-2.5f));
        assertEquals(Float.POSITIVE_INFINITY, Bf16.round(Float.POSITIVE_INFINITY));
        assertEquals(Float.POSITIVE_INFINITY, Bf16.round(Float.MAX_VALUE));
        assertTrue(Float.isNaN(Bf16.round(Float.NaN)));
        assertTrue(Float.isNaN(Bf16.round(Float.intBitsToFloat(0x7f800001))), "a NaN whose payload is in the low bits stays NaN");
        assertEquals(0x8000, Bf16.encode(-0f) & 0xffff);
    }

    @Test
    void aRankWithAnotherCompressionFailsNamingTheKey() throws Exception {
        List<ServerSocket> ls = RingHarness.listeners(2);
        List<PeerAddress> peers = RingHarness.peers(ls);
        java.util.concurrent.ExecutorService pool = java.util.concurrent.Executors.newFixedThreadPool(2);
        try {
            List<java.util.concurrent.Future<?>> fs = new java.util.ArrayList<>();
            for (int r = 0; r < 2; r++) {
                int rank = r;
                CollectiveConfig cfg = CollectiveConfig.DEFAULT.withReadTimeoutMs(5_000)
                        .withCompression(r == 0 ? Compression.NONE : Compression.BF16);
                fs.add(pool.submit(() -> {
                    try (RingCollective c = RingCollective.connect(rank, peers, RingHarness.SECRET, ls.get(rank), cfg)) {
                        c.allReduce(new float[64], 0, 64);
                    }
                    return null;
                }));
            }
            // The handshake carries each rank's compression, so both ranks (not just the one that
            // happened to read a frame first) fail naming the key and both values.
            for (java.util.concurrent.Future<?> f : fs) {
                java.util.concurrent.ExecutionException e = assertThrows(java.util.concurrent.ExecutionException.class,
                        () -> f.get(60, java.util.concurrent.TimeUnit.SECONDS));
                String m = String.valueOf(e.getCause().getMessage());
                assertTrue(m.contains("bragg.train.compression") && m.contains("none") && m.contains("bf16"), m);
            }
        } finally {
            pool.shutdownNow();
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
                assertThrows(IOException.class, () -> Handshake.connect(in, o, "wrong-secret-wrong-secret".getBytes(), 0, Compression.NONE, "r1"));
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

    /** Header, 32-byte nonce and compression byte, checksum: all a stranger may get before the listener hangs up. */
    private static final int CHALLENGE_FRAME_BYTES = Frames.HEADER_BYTES + Handshake.CHALLENGE_BYTES + 4;

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

    /** The channel path reads what the stream path writes, and rejects a flipped bit and a wrong length. */
    @Test
    void channelFramesCheckLengthAndChecksum() throws Exception {
        try (java.nio.channels.ServerSocketChannel ss = java.nio.channels.ServerSocketChannel.open()) {
            ss.bind(new java.net.InetSocketAddress(java.net.InetAddress.getLoopbackAddress(), 0));
            try (java.nio.channels.SocketChannel a = java.nio.channels.SocketChannel.open(ss.getLocalAddress());
                 java.nio.channels.SocketChannel b = ss.accept();
                 FrameReader reader = new FrameReader(b, 5_000, "rank 1 at x:2")) {
                java.io.ByteArrayOutputStream bo = new java.io.ByteArrayOutputStream();
                Frames.write(bo, Frames.DATA, 0, new byte[] {1, 2, 3, 4}, 4);
                Frames.write(bo, Frames.DATA, 1, new byte[] {5, 6, 7, 8}, 4);
                Frames.write(bo, Frames.DATA, 2, new byte[] {9, 9}, 2);
                byte[] f = bo.toByteArray();
                f[21 + 14] ^= 1;   // second frame's payload
                a.write(java.nio.ByteBuffer.wrap(f));
                java.nio.ByteBuffer dst = java.nio.ByteBuffer.allocateDirect(4);
                reader.read(Frames.DATA, 0, dst);
                assertEquals(0x01020304, dst.getInt(0));
                FrameException bad = assertThrows(FrameException.class, () -> reader.read(Frames.DATA, 1, dst));
                assertTrue(bad.getMessage().contains("checksum") && bad.getMessage().contains("rank 1 at x:2"), bad.getMessage());
                FrameException len = assertThrows(FrameException.class, () -> reader.read(Frames.DATA, 2, dst));
                assertTrue(len.getMessage().contains("length 2 bytes, expected 4"), len.getMessage());
            }
        }
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
