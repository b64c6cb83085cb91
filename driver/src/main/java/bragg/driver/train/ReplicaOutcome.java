package bragg.driver.train;

import java.io.Serializable;

/**
 * What one barrier task hands back to the driver. Rank 0 adds the model and the metrics; the
 * others only their parameter hash, which the driver compares. A plain class: Spark's Kryo
 * serializes task results and cannot build Java records.
 */
public final class ReplicaOutcome implements Serializable {
    public int rank;
    public long steps;
    public long paramHash;
    public long resumedFromStep;
    /** DL4J model zip without updater state (rank 0 only, else null). */
    public byte[] modelZip;
    /** One {@code StepMetrics.csv()} line per optimizer step since step 0 (rank 0 only, else empty). */
    public String[] metrics = new String[0];

    public ReplicaOutcome() {
    }
}
