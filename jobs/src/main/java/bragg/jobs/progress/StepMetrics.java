package bragg.jobs.progress;

/**
 * What one training step reports for the progress line.
 *
 * @param epoch            1-based epoch of this step
 * @param epochs           epochs in the run
 * @param step             1-based global step (optimizer steps since the start of the run)
 * @param totalSteps       steps in the whole run
 * @param loss             training loss of this step (mean over the global batch)
 * @param samplesPerSecond global samples per second over this step (all replicas)
 * @param stepSeconds      wall time of the step
 * @param commSeconds      part of stepSeconds spent in the gradient all-reduce
 */
public record StepMetrics(int epoch, int epochs, long step, long totalSteps, double loss,
                          double samplesPerSecond, double stepSeconds, double commSeconds) {

    public StepMetrics {
        if (epoch < 1 || epochs < epoch || step < 1 || totalSteps < step) {
            throw new IllegalArgumentException("step metrics out of range: epoch " + epoch + "/" + epochs
                    + ", step " + step + "/" + totalSteps);
        }
        if (stepSeconds < 0 || commSeconds < 0) {
            throw new IllegalArgumentException("negative step time: step " + stepSeconds + " s, comm " + commSeconds + " s");
        }
    }

    /** Share of the step spent communicating, 0..1 (0 for a zero-length step). */
    public double commShare() {
        return stepSeconds > 0 ? Math.min(1.0, commSeconds / stepSeconds) : 0.0;
    }
}
