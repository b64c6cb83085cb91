package bragg.driver.train;

import bragg.worker.collective.AllGatherCollective;
import bragg.worker.collective.Collective;
import bragg.worker.collective.CollectiveConfig;
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
     *                  {@code BarrierTaskContext.allGather} itself
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
        ServerSocket listener = RingCollective.openListener(host);
        String[] all;
        try {
            all = ctx.allGather(host + ":" + listener.getLocalPort());
        } catch (RuntimeException e) {
            listener.close();
            throw e;
        }
        List<PeerAddress> peers = new ArrayList<>(n);
        for (int r = 0; r < n; r++) {
            peers.add(PeerAddress.parse(r, all[r]));
        }
        return RingCollective.connect(rank, peers, secret.bytes(), listener, config);
    }
}
