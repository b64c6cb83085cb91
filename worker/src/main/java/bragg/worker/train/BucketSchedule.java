package bragg.worker.train;

import java.io.Serializable;

/**
 * How a step's gradient is all-reduced (bragg.train.bucket-mb, bragg.train.overlap): as one
 * range after the backward, or as buckets of {@code bucketFloats} values, the last layers' first,
 * each reduced on a communication thread as soon as the backward has passed the layers it holds
 * (PyTorch DistributedDataParallel's scheme).
 *
 * <p>The buckets are a function of the gradient's length and this schedule alone, so every rank
 * makes the same calls in the same order. The buckets fix the order in which the ring adds each
 * value, so {@code overlap} on and off give the same bits; the bucket size may change the last
 * bits of the sums with 3+ ranks or bf16 (with 2 ranks and float32 a sum is one addition, the
 * same either way).
 *
 * @param bucketFloats gradient values per bucket; 0 = the whole gradient in one all-reduce
 * @param overlap      reduce each bucket during the backward; false = the same buckets after it
 */
public record BucketSchedule(int bucketFloats, boolean overlap) implements Serializable {
    /** One all-reduce of the whole gradient after the backward. */
    public static final BucketSchedule OFF = new BucketSchedule(0, false);
    /** What bragg.train.bucket-mb and bragg.train.overlap default to: 1 MiB buckets, overlapped. */
    public static final BucketSchedule DEFAULT = ofMiB(1.0, true);

    public BucketSchedule {
        if (bucketFloats < 0) {
            throw new IllegalArgumentException("bragg.train.bucket-mb must be >= 0, found " + bucketFloats
                    + " values a bucket");
        }
    }

    /** A schedule of buckets of {@code mib} MiB (2^20 bytes; 4 bytes a value); 0 = one range. */
    public static BucketSchedule ofMiB(double mib, boolean overlap) {
        if (!(mib == 0 || (mib >= 0.001 && mib <= 2048))) {
            throw new IllegalArgumentException("bragg.train.bucket-mb must be 0, or 0.001..2048, found " + mib);
        }
        return new BucketSchedule((int) Math.round(mib * (1 << 20) / 4), overlap);
    }

    /** The size in MiB, as the key spells it. */
    public double mib() {
        return bucketFloats * 4.0 / (1 << 20);
    }

    /**
     * The buckets of a buffer of {@code len} values, in reduce order: {@code [start, end)} pairs
     * from the top of the buffer down, all {@code bucketFloats} long but the last (the bottom).
     */
    public int[][] buckets(int len) {
        if (bucketFloats == 0 || len <= bucketFloats) {
            return new int[][] {{0, len}};
        }
        int n = (len + bucketFloats - 1) / bucketFloats;
        int[][] out = new int[n][];
        for (int i = 0; i < n; i++) {
            int end = len - i * bucketFloats;
            out[i] = new int[] {Math.max(0, end - bucketFloats), end};
        }
        return out;
    }
}
