package bragg.driver.train;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import org.junit.jupiter.api.Test;

/** The cause of a failed attempt is the replica's own error, even when a neighbour's echo arrives first. */
class TaskFailuresTest {

    @Test
    void theCauseWinsOverTheRingEchoThatArrivedFirst() {
        TaskFailures f = new TaskFailures("g1");
        f.jobStarted("g1", List.of(3));
        f.taskFailed(3, "task 0: java.lang.IllegalStateException: replica 0 of 2 (attempt 1): rank 0: reading frame 16 "
                + "from rank 1 at 192.0.2.2:45239 failed: java.io.EOFException");
        f.taskFailed(3, "task 1: bragg.worker.train.FaultInjection$InjectedFault: injected fault at step 7");
        assertEquals("task 1: bragg.worker.train.FaultInjection$InjectedFault: injected fault at step 7", f.first());
    }

    @Test
    void onlyEchoesGiveTheFirstOfThem() {
        TaskFailures f = new TaskFailures("g1");
        f.jobStarted("g1", List.of(3));
        f.taskFailed(3, "task 0: rank 0: sending frame 2 to rank 1 at h:1 failed");
        f.taskFailed(3, "task 1: rank 1: reading frame 2 from rank 0 at h:2 failed");
        assertEquals("task 0: rank 0: sending frame 2 to rank 1 at h:1 failed", f.first());
    }

    @Test
    void theCauseThatArrivesAfterTheEchoIsWaitedFor() throws Exception {
        TaskFailures f = new TaskFailures("g1");
        f.jobStarted("g1", List.of(3));
        f.taskFailed(3, "task 0: rank 0: reading frame 16 from rank 1 at 192.0.2.2:45239 failed: java.io.EOFException");
        Thread late = new Thread(() -> {
            try {
                Thread.sleep(300);
            } catch (InterruptedException e) {
                return;
            }
            f.taskFailed(3, "task 1: injected fault at step 7");
        });
        late.start();
        assertEquals("task 1: injected fault at step 7", f.awaitCause(10_000));
        late.join();
    }

    @Test
    void onlyEchoesAreGivenAfterTheWait() throws Exception {
        TaskFailures f = new TaskFailures("g1");
        f.jobStarted("g1", List.of(3));
        f.taskFailed(3, "task 0: rank 0: sending frame 2 to rank 1 at h:1 failed");
        long t0 = System.nanoTime();
        assertEquals("task 0: rank 0: sending frame 2 to rank 1 at h:1 failed", f.awaitCause(200));
        assertTrue(System.nanoTime() - t0 >= 190_000_000L, "returned before the wait was over");
    }
}
