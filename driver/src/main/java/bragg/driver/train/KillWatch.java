package bragg.driver.train;

import java.util.function.BooleanSupplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Closes a replica's collective as soon as Spark kills its task. When one task of a barrier stage
 * fails (its executor was lost), Spark marks the others killed but does not interrupt their
 * threads, and a thread blocked in a socket read would not notice an interrupt anyway: it would
 * wait out the ring's read timeout (minutes) while holding the slot the next attempt needs.
 * Closing the sockets fails that read at once, so the retry starts in seconds.
 */
final class KillWatch implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(KillWatch.class);
    /** How often the task's kill flag is looked at. */
    static final long POLL_MS = 200;

    private final Thread thread;

    private KillWatch(Thread thread) {
        this.thread = thread;
    }

    /**
     * @param killed  true once the task is killed ({@code TaskContext::isInterrupted})
     * @param onKill  closed once when {@code killed} turns true
     * @param what    names the task in the log line
     */
    static KillWatch start(BooleanSupplier killed, AutoCloseable onKill, String what) {
        Thread t = new Thread(() -> {
            try {
                while (!killed.getAsBoolean()) {
                    Thread.sleep(POLL_MS);
                }
            } catch (InterruptedException e) {
                return; // the task ended normally: close() stopped the watch
            }
            LOG.warn("{}: the task was killed (another replica of the stage failed); closing the collective", what);
            try {
                onKill.close();
            } catch (Exception e) {
                LOG.debug("{}: closing after the kill failed: {}", what, e.toString());
            }
        }, "bragg-kill-watch");
        t.setDaemon(true);
        t.start();
        return new KillWatch(t);
    }

    @Override
    public void close() {
        thread.interrupt();
    }
}
