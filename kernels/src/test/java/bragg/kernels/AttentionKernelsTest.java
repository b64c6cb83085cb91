package bragg.kernels;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import com.aparapi.device.Device;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.logging.Handler;
import java.util.logging.Level;
import java.util.logging.LogRecord;
import java.util.logging.Logger;
import java.util.stream.Collectors;

class AttentionKernelsTest {

    @Test
    void javaIsAlwaysThere() {
        try (AttentionKernel k = AttentionKernels.open("java")) {
            assertInstanceOf(JavaFlashAttention.class, k);
            assertTrue(k.backend().startsWith("java"), k.backend());
        }
    }

    /** A GPU when there is one; else Java, even where PoCL lists an OpenCL CPU device (Java is faster there). */
    @Test
    void autoTakesTheBestDeviceThereIs() {
        boolean gpu = !AttentionKernels.listDevices(Device.TYPE.GPU).isEmpty();
        try (AttentionKernel k = AttentionKernels.open("auto")) {
            if (gpu) {
                assertTrue(k.backend().startsWith("aparapi-opencl gpu"), k.backend());
            } else {
                assertInstanceOf(JavaFlashAttention.class, k);
            }
        }
    }

    /** auto says which backend it took and why, in one INFO line (System.Logger goes to JUL here). */
    @Test
    void autoLogsWhichDeviceItTookAndWhy() {
        Logger jul = Logger.getLogger(AttentionKernels.class.getName());
        List<LogRecord> records = new CopyOnWriteArrayList<>();
        Handler capture = new Handler() {
            @Override
            public void publish(LogRecord r) {
                records.add(r);
            }

            @Override
            public void flush() {
            }

            @Override
            public void close() {
            }
        };
        jul.addHandler(capture);
        try (AttentionKernel k = AttentionKernels.open("auto")) {
            List<String> lines = records.stream().filter(r -> r.getLevel() == Level.INFO).map(LogRecord::getMessage)
                    .filter(m -> m.startsWith("attention device auto: took ")).collect(Collectors.toList());
            assertEquals(1, lines.size(), "INFO lines: " + lines);
            String line = lines.get(0);
            assertTrue(line.startsWith("attention device auto: took " + k.backend() + " because "), line);
            if (AttentionKernels.listDevices(Device.TYPE.GPU).isEmpty()) {
                assertTrue(line.contains("no OpenCL GPU device"), line);
            }
            if (k instanceof AparapiFlashAttention) {
                assertTrue(line.contains("ran the kernel's self-test"), line);
            } else {
                assertTrue(line.contains("failed to run the kernel") || line.contains("no OpenCL GPU device"), line);
                if (!AttentionKernels.listDevices(Device.TYPE.CPU).isEmpty()) {
                    assertTrue(line.contains("OpenCL CPU device(s) not taken: on the same cores the Java kernel is faster"),
                            line);
                }
            }
        } finally {
            jul.removeHandler(capture);
        }
    }

    @Test
    void anExplicitOpenClCpuIsTheAparapiKernelOnThatDevice() {
        int cpus = AttentionKernels.listDevices(Device.TYPE.CPU).size();
        if (cpus == 0 && "true".equalsIgnoreCase(System.getenv("CI"))) {
            fail("CI=true but no OpenCL CPU device (CI installs PoCL)"); // as AparapiFlashAttentionTest
        }
        Assumptions.assumeTrue(cpus > 0, "no OpenCL CPU device (install pocl-opencl-icd)");
        try (AttentionKernel k = AttentionKernels.open("opencl-cpu"); AttentionKernel last =
                AttentionKernels.open("opencl-cpu:" + (cpus - 1))) {
            assertInstanceOf(AparapiFlashAttention.class, k);
            assertTrue(k.backend().startsWith("aparapi-opencl cpu"), k.backend());
            assertInstanceOf(AparapiFlashAttention.class, last);
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
