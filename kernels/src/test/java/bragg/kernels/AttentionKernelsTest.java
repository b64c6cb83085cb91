package bragg.kernels;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.aparapi.device.Device;
import org.junit.jupiter.api.Test;

class AttentionKernelsTest {

    @Test
    void javaIsAlwaysThere() {
        try (AttentionKernel k = AttentionKernels.open("java")) {
            assertInstanceOf(JavaFlashAttention.class, k);
            assertTrue(k.backend().startsWith("java"), k.backend());
        }
    }

    @Test
    void autoTakesTheBestDeviceThereIs() {
        boolean gpu = !AttentionKernels.listDevices(Device.TYPE.GPU).isEmpty();
        boolean cpu = !AttentionKernels.listDevices(Device.TYPE.CPU).isEmpty();
        try (AttentionKernel k = AttentionKernels.open("auto")) {
            if (gpu) {
                assertTrue(k.backend().startsWith("aparapi-opencl gpu"), k.backend());
            } else if (cpu) {
                assertTrue(k.backend().startsWith("aparapi-opencl cpu"), k.backend());
            } else {
                assertInstanceOf(JavaFlashAttention.class, k);
            }
        }
    }

    @Test
    void unknownNamesAreErrors() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> AttentionKernels.open("cuda"));
        assertTrue(e.getMessage().contains("'cuda'") && e.getMessage().contains(AttentionKernels.DEVICES),
                e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> AttentionKernels.open("opencl-gpu:x"));
        assertTrue(e.getMessage().contains("opencl-gpu:x") && e.getMessage().contains("index"), e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> AttentionKernels.open(" "));
        assertTrue(e.getMessage().contains("empty"), e.getMessage());
    }

    @Test
    void anExplicitDeviceThatIsNotThereIsAnErrorListingWhatIs() {
        int gpus = AttentionKernels.listDevices(Device.TYPE.GPU).size();
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> AttentionKernels.open("opencl-gpu:" + gpus));
        assertTrue(e.getMessage().contains("'opencl-gpu:" + gpus + "' is not available"), e.getMessage());
        assertTrue(e.getMessage().contains("found " + gpus + " OpenCL GPU"), e.getMessage());
        assertTrue(e.getMessage().contains("all OpenCL devices: "
                + AttentionKernels.listOpenClDevices()), e.getMessage());
        if (gpus == 0) {
            assertThrows(IllegalArgumentException.class, () -> AttentionKernels.open("opencl-gpu"));
        }
        int cpus = AttentionKernels.listDevices(Device.TYPE.CPU).size();
        e = assertThrows(IllegalArgumentException.class, () -> AttentionKernels.open("opencl-cpu:" + cpus));
        assertEquals(true, e.getMessage().contains("found " + cpus + " OpenCL CPU"), e.getMessage());
    }
}
