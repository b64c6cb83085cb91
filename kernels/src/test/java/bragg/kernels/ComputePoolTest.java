package bragg.kernels;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.util.concurrent.ForkJoinPool;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** The shared pool follows the cores an executor was granted, never more than the machine's. */
class ComputePoolTest {
    private static final int CORES = Runtime.getRuntime().availableProcessors();

    @AfterEach
    void restore() {
        ComputePool.useThreads(CORES);
    }

    @Test
    void theSharedPoolTakesTheExecutorsCoresAndNoMoreThanTheMachinesAndWorksOnIt() {
        ComputePool.useThreads(1);
        ForkJoinPool one = ComputePool.shared();
        assertEquals(1, one.getParallelism());
        ComputePool.useThreads(1);
        assertEquals(one, ComputePool.shared(), "the same size keeps the same pool");
        assertEquals(1, ComputePool.parts(64, 1 << 20, 1), "passes are split for the pool's threads");
        ComputePool.useThreads(CORES + 7);
        assertEquals(CORES, ComputePool.shared().getParallelism());
        int[] seen = new int[16];
        ComputePool.blocks(16, ComputePool.parts(16, 1 << 20, 1), (from, to, part) -> {
            for (int i = from; i < to; i++) seen[i]++;
        });
        for (int s : seen) assertEquals(1, s);
        assertThrows(IllegalArgumentException.class, () -> ComputePool.useThreads(0));
    }
}
