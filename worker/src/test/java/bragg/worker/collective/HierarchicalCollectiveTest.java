package bragg.worker.collective;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import java.net.ServerSocket;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * The two-level all-reduce with "hosts" that are distinct loopback addresses (127.0.0.1, .2, .3
 * all reach this machine on Linux), so the grouping by host is the real one.
 */
class HierarchicalCollectiveTest {

    private static float[] data(int rank, int len) {
        return RingHarness.data(rank, len);
    }

    /** rank -> host: e.g. {1, 1, 2, 3, 3, 3} puts rank 0 and 1 on 127.0.0.1, rank 2 on 127.0.0.2, ... */
    private static List<float[]> run(int[] hostOf, int len, Compression compression, boolean direct,
                                     List<int[]> shape) throws Exception {
        int n = hostOf.length;
        List<ServerSocket> localL = new ArrayList<>();
        List<ServerSocket> crossL = new ArrayList<>();
        List<PeerAddress> localP = new ArrayList<>();
        List<PeerAddress> crossP = new ArrayList<>();
        for (int r = 0; r < n; r++) {
            String host = "127.0.0." + hostOf[r];
            localL.add(RingCollective.openListener(host));
            crossL.add(RingCollective.openListener(host));
            localP.add(new PeerAddress(r, host, localL.get(r).getLocalPort()));
            crossP.add(new PeerAddress(r, host, crossL.get(r).getLocalPort()));
        }
        CollectiveConfig cfg = CollectiveConfig.DEFAULT.withChunkFloats(11).withCompression(compression);
        ExecutorService pool = Executors.newFixedThreadPool(n);
        try {
            List<Future<float[]>> fs = new ArrayList<>();
            for (int r = 0; r < n; r++) {
                int rank = r;
                fs.add(pool.submit(() -> {
                    try (HierarchicalCollective c = HierarchicalCollective.connect(rank, localP, crossP, RingHarness.SECRET,
                            localL.get(rank), crossL.get(rank), cfg)) {
                        synchronized (shape) {
                            shape.add(new int[] {rank, c.hosts(), c.ranksOnThisHost(), c.leads() ? 1 : 0});
                        }
                        float[] a = data(rank, len);
                        if (direct) {
                            ByteBuffer b = ByteBuffer.allocateDirect(4 * len).order(ByteOrder.LITTLE_ENDIAN);
                            b.asFloatBuffer().put(a);
                            c.allReduce(b, 0, len);
                            b.asFloatBuffer().get(a);
                        } else {
                            c.allReduce(a, 0, len);
                        }
                        c.barrier();
                        return a;
                    }
                }));
            }
            List<float[]> out = new ArrayList<>();
            for (Future<float[]> f : fs) {
                out.add(f.get(60, TimeUnit.SECONDS));
            }
            return out;
        } finally {
            pool.shutdownNow();
        }
    }

    private static void checkSums(int[] hostOf, int len, List<float[]> out, double tol) {
        for (int r = 1; r < hostOf.length; r++) {
            assertArrayEquals(out.get(0), out.get(r), "rank " + r + " differs from rank 0 (hosts " + java.util.Arrays.toString(hostOf) + ")");
        }
        for (int i = 0; i < len; i++) {
            double sum = 0;
            for (int r = 0; r < hostOf.length; r++) {
                sum += data(r, len)[i];
            }
            assertEquals(sum, out.get(0)[i], tol * hostOf.length, "element " + i);
        }
    }

    @Test
    void reducesInTheHostRingsAcrossHostsAndBroadcastsBackBitIdentical() throws Exception {
        int[] hostOf = {1, 1, 2, 3, 3, 3, 2};   // hosts of 2, 2 and 3 ranks, ranks interleaved
        List<int[]> shape = new ArrayList<>();
        List<float[]> out = run(hostOf, 1003, Compression.NONE, false, shape);
        checkSums(hostOf, 1003, out, 1e-5);
        for (int[] s : shape) {
            int rank = s[0];
            assertEquals(3, s[1], "hosts seen by rank " + rank);
            int onHost = (int) java.util.Arrays.stream(hostOf).filter(h -> h == hostOf[rank]).count();
            assertEquals(onHost, s[2], "ranks on the host of rank " + rank);
            // leaders: the lowest rank of each host (0, 2, 3); only they are in the 3-member cross ring
            assertEquals(rank == 0 || rank == 2 || rank == 3 ? 1 : 0, s[3], "leader flag of rank " + rank);
        }
    }

    @Test
    void directBuffersAndBf16AndSingleRankHostsWork() throws Exception {
        int[] hostOf = {1, 2, 2, 3};
        checkSums(hostOf, 257, run(hostOf, 257, Compression.NONE, true, new ArrayList<>()), 1e-5);
        List<float[]> bf = run(hostOf, 257, Compression.BF16, true, new ArrayList<>());
        checkSums(hostOf, 257, bf, 0.1);
        int[] oneHost = {1, 1, 1};
        checkSums(oneHost, 64, run(oneHost, 64, Compression.NONE, false, new ArrayList<>()), 1e-5);
    }
}
