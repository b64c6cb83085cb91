package bragg.worker.train;

import org.nd4j.linalg.schedule.ISchedule;
import org.nd4j.shade.jackson.annotation.JsonProperty;

/**
 * Learning rate: linear warm-up from 0 over {@code warmupSteps}, then cosine decay to
 * {@code minFraction * peak} at {@code totalSteps}. Indexed by the global optimizer step (DL4J's
 * "iteration"), which the replica loop passes to the updater and restores on resume, so a resumed
 * run sees the same rates as an uninterrupted one.
 */
public final class WarmupCosineSchedule implements ISchedule {
    private static final long serialVersionUID = 1L;
    private final double peak;
    private final int warmupSteps;
    private final int totalSteps;
    private final double minFraction;

    public WarmupCosineSchedule(@JsonProperty("peak") double peak, @JsonProperty("warmupSteps") int warmupSteps,
                                @JsonProperty("totalSteps") int totalSteps, @JsonProperty("minFraction") double minFraction) {
        if (!(peak > 0) || Double.isInfinite(peak)) {
            throw new IllegalArgumentException("bragg.train.learning-rate must be > 0, found " + peak);
        }
        if (warmupSteps < 0) {
            throw new IllegalArgumentException("bragg.train.warmup-steps must be >= 0, found " + warmupSteps);
        }
        if (totalSteps < 1) {
            throw new IllegalArgumentException("schedule total steps must be >= 1, found " + totalSteps);
        }
        if (!(minFraction >= 0 && minFraction <= 1)) {
            throw new IllegalArgumentException("schedule minFraction must be in [0, 1], found " + minFraction);
        }
        this.peak = peak;
        this.warmupSteps = warmupSteps;
        this.totalSteps = totalSteps;
        this.minFraction = minFraction;
    }

    @Override
    public double valueAt(int step, int epoch) {
        if (step < warmupSteps) {
            return peak * (step + 1) / warmupSteps;
        }
        int decaySteps = Math.max(1, totalSteps - warmupSteps);
        double progress = Math.min(1.0, (double) (step - warmupSteps) / decaySteps);
        return peak * (minFraction + (1 - minFraction) * 0.5 * (1 + Math.cos(Math.PI * progress)));
    }

    @Override
    public ISchedule clone() {
        return new WarmupCosineSchedule(peak, warmupSteps, totalSteps, minFraction);
    }

    @JsonProperty("peak")
    public double getPeak() {
        return peak;
    }

    @JsonProperty("warmupSteps")
    public int getWarmupSteps() {
        return warmupSteps;
    }

    @JsonProperty("totalSteps")
    public int getTotalSteps() {
        return totalSteps;
    }

    @JsonProperty("minFraction")
    public double getMinFraction() {
        return minFraction;
    }
}
