package bragg.worker.train;

import java.io.IOException;

/**
 * Compares a hash of every replica's parameters (the driver does it through
 * {@code BarrierTaskContext.allGather}); all ranks call it at the same steps.
 */
@FunctionalInterface
public interface ParameterCheck {
    /** @throws IOException when the ranks disagree, naming the step and the ranks' hashes */
    void check(long step, long paramHash) throws IOException;

    /** For a single replica there is nothing to compare. */
    ParameterCheck SINGLE = (step, hash) -> { };
}
