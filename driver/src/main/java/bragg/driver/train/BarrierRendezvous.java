package bragg.driver.train;

import bragg.worker.collective.AllGatherCollective;
import bragg.worker.collective.Collective;
import bragg.worker.collective.CollectiveConfig;
import bragg.worker.collective.HierarchicalCollective;
import bragg.worker.collective.PeerAddress;
import bragg.worker.collective.RingCollective;
import java.io.IOException;
import java.net.ServerSocket;
import java.util.ArrayList;
import java.util.List;
import org.apache.spark.BarrierTaskContext;
import org.apache.spark.SparkEnv;

/**
 * How the tasks of a barrier stage find each other and join one collective. Call it from every
 * task of the stage, at the same point: it makes one {@code allGather} round (ring) or none
 * (allgather transport).
 */
public final class BarrierRendezvous {
    private BarrierRendezvous() {
    }

    /**
     * @param transport "ring": each task opens a server socket on its executor's address, one
     *                  allGather round tells every task where the others listen, then the TCP ring
     *                  forms (authenticated with {@code secret}); "allgather": buffers go through
     *                  {@code BarrierTaskContext.allGather} itself; "hierarchical": as ring, with
     *                  two listeners a task, one for its host's ring and one for the ring of hosts
     */
    public static Collective join(BarrierTaskContext ctx, String transport, JobSecret secret, CollectiveConfig config)
            throws IOException {
        int rank = ctx.partitionId();
        int n = ctx.getTaskInfos().length;
        if (transport.equals("allgather")) {
            return new AllGatherCollective(rank, n, ctx::allGather);
        }
        // The block manager's host is the address Spark itself uses between executors, so the
        // other executors can reach it (BarrierTaskInfo.address is not documented to be one); the
        // listener binds to it alone, not to every interface of the machine.
        String host = SparkEnv.get().blockManager().blockManagerId().host();
        boolean twoLevel = transport.equals("hierarchical");
        ServerSocket listener = RingCollective.openListener(host);
        ServerSocket crossListener = null;
        String[] all;
        try {
            crossListener = twoLevel ? RingCollective.openListener(host) : null;
            // "host:port" (ring) or "host:port host:port" (hierarchical: host ring, then ring of hosts)
            all = ctx.allGather(host + ":" + listener.getLocalPort()
                    + (twoLevel ? " " + host + ":" + crossListener.getLocalPort() : ""));
        } catch (IOException | RuntimeException e) {
            listener.close();
            if (crossListener != null) {
                crossListener.close();
            }
            throw e;
        }
        List<PeerAddress> peers = new ArrayList<>(n);
        List<PeerAddress> crossPeers = new ArrayList<>(n);
        for (int r = 0; r < n; r++) {
            String[] parts = all[r].split(" ");
            peers.add(PeerAddress.parse(r, parts[0]));
            if (twoLevel) {
                if (parts.length != 2) {
                    throw new IOException("rank " + rank + ": task " + r + " published '" + all[r]
                            + "', expected two host:port addresses (is every task on bragg.train.transport hierarchical?)");
                }
                crossPeers.add(PeerAddress.parse(r, parts[1]));
            }
        }
        if (twoLevel) {
            return HierarchicalCollective.connect(rank, peers, crossPeers, secret.bytes(), listener, crossListener, config);
        }
        return RingCollective.connect(rank, peers, secret.bytes(), listener, config);
    }
}
