package bragg.jobs.progress;

/** Receives each training step's metrics on the driver, in step order. */
public interface ProgressListener {

    void onStep(StepMetrics m);

    /** Called once when training ends (normally or not), so a progress bar can finish its line. */
    default void onEnd() {
    }
}
