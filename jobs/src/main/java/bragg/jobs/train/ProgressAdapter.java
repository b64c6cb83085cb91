package bragg.jobs.train;

import bragg.jobs.progress.ProgressListener;
import bragg.worker.train.StepMetrics;
import java.util.function.Consumer;

/**
 * Turns rank 0's step metrics (0-based step and epoch, milliseconds) into the progress line's
 * (1-based, seconds, with totals).
 */
final class ProgressAdapter implements Consumer<StepMetrics> {
    private final ProgressListener listener;
    private final int epochs;
    private final long totalSteps;

    ProgressAdapter(ProgressListener listener, int epochs, long totalSteps) {
        this.listener = listener;
        this.epochs = epochs;
        this.totalSteps = totalSteps;
    }

    @Override
    public void accept(StepMetrics m) {
        double stepSeconds = (m.computeMs() + m.commMs()) / 1e3;
        listener.onStep(new bragg.jobs.progress.StepMetrics(m.epoch() + 1, epochs, m.step() + 1, totalSteps, m.loss(),
                m.samplesPerSec(), stepSeconds, m.commMs() / 1e3));
    }
}
