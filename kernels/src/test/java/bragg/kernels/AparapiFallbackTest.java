package bragg.kernels;

import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import com.aparapi.Kernel;
import com.aparapi.Range;
import com.aparapi.device.Device;
import com.aparapi.device.OpenCLDevice;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;

import java.util.List;

/**
 * Aparapi answers an OpenCL compile failure by running the kernel in Java with only a log warning.
 * This checks that the guard {@link AparapiFlashAttention#requireRanOn} notices, using a kernel
 * Aparapi cannot translate (it calls a method on an object, which OpenCL has no notion of).
 */
class AparapiFallbackTest {

    /** Untranslatable on purpose: StringBuilder is an object. */
    static final class Untranslatable extends Kernel {
        final float[] out = new float[8];
        final StringBuilder sb = new StringBuilder("x");

        @Override
        public void run() {
            out[getGlobalId()] = sb.length();
        }
    }

    /** A second class: Aparapi remembers failed devices per kernel class, so each test has its own. */
    static final class AlsoUntranslatable extends Kernel {
        final float[] out = new float[8];
        final StringBuilder sb = new StringBuilder("y");

        @Override
        public void run() {
            out[getGlobalId()] = sb.length();
        }
    }

    static final class Fine extends Kernel {
        final float[] out = new float[8];

        @Override
        public void run() {
            out[getGlobalId()] = getGlobalId();
        }
    }

    private static OpenCLDevice device() {
        List<OpenCLDevice> cpus = AttentionKernels.listDevices(Device.TYPE.CPU);
        List<OpenCLDevice> gpus = AttentionKernels.listDevices(Device.TYPE.GPU);
        if (cpus.isEmpty() && gpus.isEmpty()) {
            if ("true".equalsIgnoreCase(System.getenv("CI"))) {
                fail("CI=true but no OpenCL device found");
            }
            Assumptions.abort("no OpenCL device found (install pocl-opencl-icd and ocl-icd-libopencl1)");
        }
        return gpus.isEmpty() ? cpus.get(0) : gpus.get(0);
    }

    @Test
    void aKernelOpenClCannotCompileIsAnErrorNotAJavaRun() {
        OpenCLDevice d = device();
        Untranslatable k = new Untranslatable();
        try {
            IllegalStateException e = assertThrows(IllegalStateException.class,
                    () -> AparapiFlashAttention.executeOn(k, d, 8, 8));
            assertTrue(e.getMessage().contains(d.getName()), e.getMessage());
        } finally {
            k.dispose();
        }
    }

    /**
     * Without a device in the Range (and so without Aparapi's assert), a failed OpenCL compile
     * silently becomes a Java thread-pool run; the guard must see it afterwards.
     */
    @Test
    void aSilentJavaThreadPoolRunFailsTheGuard() {
        OpenCLDevice d = device();
        AlsoUntranslatable k = new AlsoUntranslatable();
        try {
            k.execute(Range.create(8, 8)); // logs a warning, reverts to Java, returns normally
            IllegalStateException e = assertThrows(IllegalStateException.class,
                    () -> AparapiFlashAttention.requireRanOn(k, d));
            assertTrue(e.getMessage().contains("fell back to Java") && e.getMessage().contains(d.getName()),
                    e.getMessage());
        } finally {
            k.dispose();
        }
    }

    @Test
    void aKernelThatCompilesPassesTheGuard() {
        OpenCLDevice d = device();
        Fine k = new Fine();
        try {
            AparapiFlashAttention.executeOn(k, d, 8, 8);
            assertTrue(k.out[7] == 7f, "out[7] = " + k.out[7]);
        } finally {
            k.dispose();
        }
    }
}
