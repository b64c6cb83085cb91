package bragg.driver.train;

import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import bragg.worker.collective.CollectiveConfig;
import bragg.worker.collective.PeerAddress;
import bragg.worker.collective.RingCollective;
import java.io.IOException;
import java.net.ServerSocket;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.Test;

/** A killed replica blocked on a silent peer stops at once, not after the ring's read timeout. */
class KillWatchTest {
    static final byte[] SECRET = "kill-watch-test-secret-0123456789".getBytes();

    @Test
    void aKilledTaskBlockedInAReadFailsWithinASecond() throws Exception {
        ServerSocket l0 = RingCollective.openListener();
        ServerSocket l1 = RingCollective.openListener();
        List<PeerAddress> peers = List.of(new PeerAddress(0, "127.0.0.1", l0.getLocalPort()),
                new PeerAddress(1, "127.0.0.1", l1.getLocalPort()));
        CollectiveConfig cfg = CollectiveConfig.DEFAULT.withReadTimeoutMs(60_000);
        // Rank 1 joins and then goes silent with its sockets open, like a peer on a lost executor.
        CompletableFuture<RingCollective> silent = CompletableFuture.supplyAsync(() -> {
            try {
                return RingCollective.connect(1, peers, SECRET, l1, cfg);
            } catch (IOException e) {
                throw new IllegalStateException(e);
            }
        });
        AtomicBoolean killed = new AtomicBoolean();
        try (RingCollective c0 = RingCollective.connect(0, peers, SECRET, l0, cfg);
             KillWatch w = KillWatch.start(killed::get, c0, "replica 0 of 2")) {
            silent.get(30, TimeUnit.SECONDS);
            CompletableFuture.delayedExecutor(300, TimeUnit.MILLISECONDS).execute(() -> killed.set(true));
            long t0 = System.nanoTime();
            assertThrows(IOException.class, () -> c0.allReduce(new float[1000], 0, 1000));
            long ms = (System.nanoTime() - t0) / 1_000_000;
            assertTrue(ms < 300 + 2 * KillWatch.POLL_MS + 1_000, "the blocked read ended after " + ms
                    + " ms (read timeout 60000 ms)");
        } finally {
            silent.get(30, TimeUnit.SECONDS).close();
        }
    }
}
