package bragg.worker.model.ops;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** The task's assigned GPU pins auto and opencl-gpu, and nothing else. */
class KernelProviderTest {

    @AfterEach
    void clear() {
        KernelProvider.assignGpu(null);
    }

    @Test
    void assignedGpuPinsAutoAndUnindexedGpuOnly() {
        assertEquals("auto", KernelProvider.resolve("auto"), "no assignment: auto stays auto");
        KernelProvider.assignGpu(3);
        assertEquals("opencl-gpu:3", KernelProvider.resolve("auto"));
        assertEquals("opencl-gpu:3", KernelProvider.resolve("opencl-gpu"));
        assertEquals("opencl-gpu:1", KernelProvider.resolve("opencl-gpu:1"), "an explicit index wins");
        assertEquals("java", KernelProvider.resolve("java"));
        assertEquals("opencl-cpu", KernelProvider.resolve("opencl-cpu"));
    }

    @Test
    void assignmentIsPerThreadAndNegativeIndexIsRefused() throws Exception {
        KernelProvider.assignGpu(2);
        String[] seen = new String[1];
        Thread t = new Thread(() -> seen[0] = KernelProvider.resolve("auto"));
        t.start();
        t.join();
        assertEquals("auto", seen[0], "another thread (another task) is not pinned");
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> KernelProvider.assignGpu(-1));
        assertTrue(e.getMessage().contains("-1"), e.getMessage());
    }
}
