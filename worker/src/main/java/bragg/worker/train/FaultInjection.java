package bragg.worker.train;

import java.io.Serializable;

/**
 * Test hook set by config ({@code train.fault.*}): rank {@code rank} throws at global step
 * {@code step} of driver attempt {@code attempt}, as if its executor died. {@link #NONE} disables it.
 */
public record FaultInjection(int attempt, int rank, long step) implements Serializable {
    public static final FaultInjection NONE = new FaultInjection(0, 0, 0);

    public FaultInjection {
        if (attempt < 0 || rank < 0 || step < 0) {
            throw new IllegalArgumentException("train.fault attempt, rank and step must be >= 0, found attempt="
                    + attempt + " rank=" + rank + " step=" + step);
        }
    }

    /** Throws {@link InjectedFault} when this (attempt, rank, step) is the configured one. */
    public void maybeFail(int currentAttempt, int currentRank, long currentStep) {
        if (attempt > 0 && attempt == currentAttempt && rank == currentRank && step == currentStep) {
            throw new InjectedFault("injected failure (train.fault): rank " + rank + " at step " + step
                    + " of attempt " + attempt);
        }
    }

    /** The failure {@link FaultInjection} throws. */
    public static final class InjectedFault extends RuntimeException {
        public InjectedFault(String message) {
            super(message);
        }
    }
}
