package bragg.driver.train;

import java.io.Serializable;

/**
 * One training sample on its way from the shard Parquet files to a replica. A plain class with a
 * no-argument constructor because Spark's Kryo builds it on the other side (it cannot build Java
 * records).
 */
public final class ShardSample implements Serializable {
    /** The shard row's id (unique in the dataset). */
    public long id;
    /** Class index, or -1 for an unlabelled row. */
    public int label;
    /** Regression targets [T] (empty for a classification set). */
    public float[] target;
    /** The pattern as the manifest's dtype encodes it ([C, H, W] row-major). */
    public byte[] pattern;

    public ShardSample() {
    }

    public ShardSample(long id, int label, float[] target, byte[] pattern) {
        this.id = id;
        this.label = label;
        this.target = target;
        this.pattern = pattern;
    }
}
