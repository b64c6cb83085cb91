package bragg.worker.train;

import java.io.Serializable;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * What one training job does, the same on every replica, mapped from the {@code bragg.train.*}
 * keys (errors name those keys).
 *
 * @param seed              job seed; the per-epoch shuffle of rank r uses (seed, epoch, r)
 * @param epochs            passes over each replica's shard
 * @param batchSize         samples per replica per micro-step
 * @param accumulationSteps micro-steps per optimizer step (gradients summed locally; one
 *                          all-reduce on the last micro-step only)
 * @param learningRate      peak learning rate of AdamW
 * @param warmupSteps       linear warm-up, then cosine decay to {@code minLrFraction * learningRate}
 * @param minLrFraction     floor of the cosine decay as a fraction of the peak
 * @param weightDecay       decoupled weight decay (AdamW), scaled by the learning rate
 * @param beta1             Adam beta1
 * @param beta2             Adam beta2
 * @param epsilon           Adam epsilon
 * @param clipNorm          global L2 norm the averaged gradient is clipped to; 0 = off
 * @param checkpointEvery   rank 0 writes a checkpoint every this many optimizer steps (and at the end)
 * @param hashCheckEvery    every this many steps all ranks compare a hash of their parameters; 0 = off
 * @param checkpointDir     Hadoop path (file:, hdfs:, s3a:) of the checkpoints
 * @param shuffle           shuffle each epoch (off: the shard order, used by the equivalence test)
 * @param fault             fault injection for tests
 * @param buckets           how the gradient is all-reduced: buckets, overlapped with the backward
 *                          or not (bragg.train.bucket-mb, bragg.train.overlap)
 */
public record TrainConfig(long seed, int epochs, int batchSize, int accumulationSteps, double learningRate,
                          int warmupSteps, double minLrFraction, double weightDecay, double beta1, double beta2,
                          double epsilon, double clipNorm, int checkpointEvery, int hashCheckEvery,
                          String checkpointDir, boolean shuffle, FaultInjection fault,
                          BucketSchedule buckets) implements Serializable {

    /**
     * No value checks here: the values come from the {@code bragg.train.*} keys, which validate
     * them once, by one rule each, naming the key (jobs' BraggKeys); a second set of rules here
     * disagreed with those and named the keys wrongly.
     */
    public TrainConfig {
        java.util.Objects.requireNonNull(checkpointDir, "checkpointDir");
        if (fault == null) {
            fault = FaultInjection.NONE;
        }
        if (buckets == null) {
            buckets = BucketSchedule.DEFAULT;
        }
    }

    /** Defaults: 3 epochs, batch 32, no accumulation, lr 1e-3, 10 warm-up steps, wd 0.01, clip 1.0. */
    public static TrainConfig defaults(String checkpointDir) {
        return new TrainConfig(42L, 3, 32, 1, 1e-3, 10, 0.0, 0.01, 0.9, 0.999, 1e-8, 1.0, 50, 50, checkpointDir, true,
                FaultInjection.NONE, BucketSchedule.DEFAULT);
    }

    /** Optimizer steps per epoch for a shard of {@code shardSize} samples (a partial last step is dropped). */
    public int stepsPerEpoch(int shardSize) {
        int perStep = batchSize * accumulationSteps;
        if (shardSize < perStep) {
            throw new IllegalArgumentException("each replica's shard holds " + shardSize + " samples, fewer than one step needs ("
                    + "bragg.train.batch-size " + batchSize + " x bragg.train.accumulation-steps " + accumulationSteps + ")");
        }
        return shardSize / perStep;
    }

    /** The fields as strings, for the provenance stored with every checkpoint and model. */
    public Map<String, String> describe() {
        Map<String, String> m = new LinkedHashMap<>();
        m.put("train.seed", Long.toString(seed));
        m.put("train.epochs", Integer.toString(epochs));
        m.put("train.batch-size", Integer.toString(batchSize));
        m.put("train.accumulation-steps", Integer.toString(accumulationSteps));
        m.put("train.learning-rate", Double.toString(learningRate));
        m.put("train.warmup-steps", Integer.toString(warmupSteps));
        m.put("train.min-lr-fraction", Double.toString(minLrFraction));
        m.put("train.weight-decay", Double.toString(weightDecay));
        m.put("train.beta1", Double.toString(beta1));
        m.put("train.beta2", Double.toString(beta2));
        m.put("train.epsilon", Double.toString(epsilon));
        m.put("train.clip-norm", Double.toString(clipNorm));
        m.put("train.checkpoint-every", Integer.toString(checkpointEvery));
        m.put("train.hash-check-every", Integer.toString(hashCheckEvery));
        m.put("train.checkpoint-dir", checkpointDir);
        m.put("train.shuffle", Boolean.toString(shuffle));
        m.put("train.bucket-mb", Double.toString(buckets.mib()));
        m.put("train.overlap", Boolean.toString(buckets.overlap()));
        return m;
    }

    /** The same with the gradient all-reduced by {@code b}. */
    public TrainConfig withBuckets(BucketSchedule b) {
        return new TrainConfig(seed, epochs, batchSize, accumulationSteps, learningRate, warmupSteps, minLrFraction,
                weightDecay, beta1, beta2, epsilon, clipNorm, checkpointEvery, hashCheckEvery, checkpointDir, shuffle, fault, b);
    }

    public TrainConfig withFault(FaultInjection f) {
        return new TrainConfig(seed, epochs, batchSize, accumulationSteps, learningRate, warmupSteps, minLrFraction,
                weightDecay, beta1, beta2, epsilon, clipNorm, checkpointEvery, hashCheckEvery, checkpointDir, shuffle, f, buckets);
    }

    public TrainConfig withCheckpointDir(String dir) {
        return new TrainConfig(seed, epochs, batchSize, accumulationSteps, learningRate, warmupSteps, minLrFraction,
                weightDecay, beta1, beta2, epsilon, clipNorm, checkpointEvery, hashCheckEvery, dir, shuffle, fault, buckets);
    }

    public TrainConfig withBatch(int batch, int accumulation) {
        return new TrainConfig(seed, epochs, batch, accumulation, learningRate, warmupSteps, minLrFraction,
                weightDecay, beta1, beta2, epsilon, clipNorm, checkpointEvery, hashCheckEvery, checkpointDir, shuffle, fault, buckets);
    }

    public TrainConfig withEpochs(int e) {
        return new TrainConfig(seed, e, batchSize, accumulationSteps, learningRate, warmupSteps, minLrFraction,
                weightDecay, beta1, beta2, epsilon, clipNorm, checkpointEvery, hashCheckEvery, checkpointDir, shuffle, fault, buckets);
    }

    public TrainConfig withShuffle(boolean s) {
        return new TrainConfig(seed, epochs, batchSize, accumulationSteps, learningRate, warmupSteps, minLrFraction,
                weightDecay, beta1, beta2, epsilon, clipNorm, checkpointEvery, hashCheckEvery, checkpointDir, s, fault, buckets);
    }

    public TrainConfig withCheckpointEvery(int k) {
        return new TrainConfig(seed, epochs, batchSize, accumulationSteps, learningRate, warmupSteps, minLrFraction,
                weightDecay, beta1, beta2, epsilon, clipNorm, k, hashCheckEvery, checkpointDir, shuffle, fault, buckets);
    }
}
