package bragg.worker.collective;

import java.io.IOException;
import java.net.ServerSocket;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

/**
 * A two-level all-reduce for many executors per host: reduce among the ranks of one host, ring
 * across hosts (one rank each), broadcast back within the host. The flat ring's latency is
 * 2(N-1) sequential steps; here it is 2(G-1) + 2(H-1) + 2(G-1) for G ranks a host and H hosts,
 * so at N = 1024 = 8 x 128 about 282 steps instead of 2046 (BENCHMARKS.md, "Scaling model").
 * <pre>
 *   hosts    ranks grouped by their address's host, in the order of their lowest rank
 *   local    a {@link RingCollective} of the G ranks of this host, in rank order
 *   cross    a {@link RingCollective} of each host's lowest rank (its leader), in host order
 *   allReduce: local.allReduce; leaders cross.allReduce; the others zero the range; local.allReduce
 * </pre>
 * The last step is the broadcast: every rank but the leader adds zeros, so each rank ends with
 * its leader's bits, which are the same on every host (the cross ring is bit-identical). Each
 * ring has its own secret derived from the job secret, so a connection meant for one ring
 * cannot join the other.
 */
public final class HierarchicalCollective implements Collective {
    private final int rank;
    private final int worldSize;
    private final int hosts;
    private final RingCollective local;
    private final RingCollective cross;   // null unless this rank leads its host and there are 2+ hosts

    private HierarchicalCollective(int rank, int worldSize, int hosts, RingCollective local, RingCollective cross) {
        this.rank = rank;
        this.worldSize = worldSize;
        this.hosts = hosts;
        this.local = local;
        this.cross = cross;
    }

    /**
     * Joins both rings.
     *
     * @param localPeers    every rank's listener for its host's ring, index = rank
     * @param crossPeers    every rank's listener for the ring of leaders (used only for leaders), index = rank
     * @param localListener {@code localPeers.get(rank)}'s socket; closed by this call
     * @param crossListener {@code crossPeers.get(rank)}'s socket; closed by this call
     */
    public static HierarchicalCollective connect(int rank, List<PeerAddress> localPeers, List<PeerAddress> crossPeers,
                                                 byte[] secret, ServerSocket localListener, ServerSocket crossListener,
                                                 CollectiveConfig config) throws IOException {
        int n = localPeers.size();
        if (crossPeers.size() != n) {
            throw new IllegalArgumentException("collective: " + n + " local addresses but " + crossPeers.size() + " cross-host ones");
        }
        if (rank < 0 || rank >= n) {
            throw new IllegalArgumentException("collective: rank " + rank + " is outside 0.." + (n - 1));
        }
        Map<String, List<Integer>> byHost = new LinkedHashMap<>();
        for (int r = 0; r < n; r++) {
            byHost.computeIfAbsent(localPeers.get(r).host(), h -> new ArrayList<>()).add(r);
        }
        String myHost = localPeers.get(rank).host();
        List<Integer> group = byHost.get(myHost);
        List<Integer> leaders = new ArrayList<>();
        for (List<Integer> g : byHost.values()) {
            leaders.add(g.get(0));
        }
        RingCollective localRing = null;
        try {
            localRing = RingCollective.connect(group.indexOf(rank), sub(localPeers, group),
                    derive(secret, "local " + myHost), localListener, config);
            RingCollective crossRing = null;
            if (leaders.size() > 1 && group.get(0) == rank) {
                crossRing = RingCollective.connect(leaders.indexOf(rank), sub(crossPeers, leaders),
                        derive(secret, "cross"), crossListener, config);
            } else {
                crossListener.close();
            }
            return new HierarchicalCollective(rank, n, leaders.size(), localRing, crossRing);
        } catch (IOException | RuntimeException e) {
            if (localRing != null) {
                localRing.close();
            }
            crossListener.close();
            throw e;
        }
    }

    /** The peers of one ring, renumbered 0..k-1 in the order of {@code members}. */
    private static List<PeerAddress> sub(List<PeerAddress> all, List<Integer> members) {
        List<PeerAddress> out = new ArrayList<>(members.size());
        for (int i = 0; i < members.size(); i++) {
            PeerAddress p = all.get(members.get(i));
            out.add(new PeerAddress(i, p.host(), p.port()));
        }
        return out;
    }

    /** HMAC-SHA256(secret, label): one ring's secret. */
    static byte[] derive(byte[] secret, String label) {
        try {
            Mac mac = Mac.getInstance("HmacSHA256");
            mac.init(new SecretKeySpec(secret, "HmacSHA256"));
            return mac.doFinal(label.getBytes(StandardCharsets.UTF_8));
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("HmacSHA256 is not available in this JVM", e);
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

    /** Hosts in the job (H). */
    public int hosts() {
        return hosts;
    }

    /** Ranks on this rank's host (G). */
    public int ranksOnThisHost() {
        return local.worldSize();
    }

    /** Whether this rank is its host's member of the cross-host ring. */
    public boolean leads() {
        return cross != null;
    }

    /** One all-reduce step of a range, on whichever of the two rings it is given. */
    @FunctionalInterface
    private interface Step {
        void on(Collective ring) throws IOException;
    }

    private void run(Step allReduce, Runnable zero) throws IOException {
        allReduce.on(local);
        if (hosts > 1) {
            if (cross != null) {
                allReduce.on(cross);
            } else {
                zero.run();
            }
            allReduce.on(local);
        }
    }

    @Override
    public void allReduce(float[] buf, int off, int len) throws IOException {
        run(c -> c.allReduce(buf, off, len), () -> java.util.Arrays.fill(buf, off, off + len, 0f));
    }

    @Override
    public void allReduce(ByteBuffer buf, int off, int len) throws IOException {
        Collective.checkRange(buf, off, len);
        run(c -> c.allReduce(buf, off, len), () -> {
            for (int i = off; i < off + len; i++) {
                buf.putInt(4 * i, 0);
            }
        });
    }

    @Override
    public void barrier() throws IOException {
        Collective.barrierBySum(this);
    }

    @Override
    public void close() throws IOException {
        try {
            local.close();
        } finally {
            if (cross != null) {
                cross.close();
            }
        }
    }
}
