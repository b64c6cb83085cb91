package bragg.worker.collective;

/**
 * The peer proved the job secret but is configured differently (for instance another
 * bragg.train.compression): not a stranger to drop, a misconfigured job that must fail.
 */
public final class IncompatiblePeerException extends FrameException {
    public IncompatiblePeerException(String message) {
        super(message);
    }
}
