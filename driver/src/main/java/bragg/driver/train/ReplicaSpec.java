package bragg.driver.train;

import bragg.worker.collective.CollectiveConfig;
import bragg.worker.collective.Compression;
import bragg.worker.train.BucketSchedule;
import bragg.worker.train.TrainConfig;
import java.io.Serializable;
import java.util.Map;

/**
 * Everything a replica needs besides its samples; travels in the barrier task's closure.
 *
 * @param graphJson   DL4J ComputationGraphConfiguration JSON with the optimizer already set, so every
 *                    replica builds the same network (rank 0's initial parameters are then broadcast)
 * @param sampleShape [C, H, W] of one sample
 * @param outputs     K classes of the classification head, or T targets of the regression head
 * @param regression  whether the samples' targets (MSE head) rather than their labels are learnt
 * @param dtype       the shards' pattern encoding (float32 or float16)
 * @param transport   "ring" (TCP between the tasks), "hierarchical" (a ring in each host, one across
 *                    hosts) or "allgather" (through the driver)
 * @param provenance  config, data and code entries stored with every checkpoint
 */
public record ReplicaSpec(String graphJson, TrainConfig train, int[] sampleShape, int outputs, boolean regression,
                          String dtype,
                          String transport, CollectiveConfig collective, String codeVersion,
                          Map<String, String> provenance) implements Serializable {

    public ReplicaSpec {
        if (!transport.equals("ring") && !transport.equals("hierarchical") && !transport.equals("allgather")) {
            throw new IllegalArgumentException("bragg.train.transport must be ring, hierarchical or allgather, found '"
                    + transport + "'");
        }
        if (transport.equals("allgather") && collective.compression() != Compression.NONE) {
            throw new IllegalArgumentException("bragg.train.compression " + collective.compression()
                    + " needs bragg.train.transport ring or hierarchical, found allgather (which sends float32 text through the driver)");
        }
        if (transport.equals("allgather")) {
            // Each call of this transport is a barrier round through the driver, made from the task's own
            // thread: one call per step, after the backward (buckets would multiply the rounds).
            train = train.withBuckets(BucketSchedule.OFF);
        }
        provenance = Map.copyOf(provenance);
    }
}
