package bragg.kernels;

import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import com.aparapi.device.Device;
import com.aparapi.device.OpenCLDevice;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

import java.util.ArrayList;
import java.util.List;

/**
 * The Aparapi kernel on every OpenCL device this machine has (PoCL's CPU device in CI), against
 * the double reference. Skips with the reason when there is no OpenCL device, except under
 * CI=true, where CI installs PoCL and a missing device is a failure.
 */
class AparapiFlashAttentionTest {
    private static final long SEED = TestSeed.SEED;
    /** One kernel per device for the whole class: compiling is the slow part, and reuse is what a replica does. */
    private static final List<AparapiFlashAttention> KERNELS = new ArrayList<>();

    @BeforeAll
    static void openDevices() {
        List<OpenCLDevice> devices = new ArrayList<>(AttentionKernels.listDevices(Device.TYPE.GPU));
        devices.addAll(AttentionKernels.listDevices(Device.TYPE.CPU));
        if (devices.isEmpty()) {
            String why = "no OpenCL device found (install pocl-opencl-icd and ocl-icd-libopencl1 to run these tests)";
            if ("true".equalsIgnoreCase(System.getenv("CI"))) {
                fail("CI=true but " + why);
            }
            Assumptions.abort(why);
        }
        for (OpenCLDevice d : devices) {
            KERNELS.add(new AparapiFlashAttention(d));
        }
    }

    @AfterAll
    static void closeDevices() {
        KERNELS.forEach(AparapiFlashAttention::close);
        KERNELS.clear();
    }

    static List<AttentionShape> sweep() {
        return AttentionCheck.sweep();
    }

    @ParameterizedTest
    @MethodSource("sweep")
    void matchesReference(AttentionShape s) {
        for (AparapiFlashAttention k : KERNELS) {
            AttentionCheck.check(k, s, SEED ^ s.hashCode());
        }
    }

    /**
     * Explicit buffer mode keeps device copies of the Java arrays: new values in the same arrays must
     * reach the device (a missing put would compute on stale data).
     */
    @Test
    void reusedArraysWithNewValuesGiveNewResults() {
        AttentionShape s = AttentionShape.builder().batch(2).heads(2).queryLength(40).keyLength(40).headDim(32)
                .causal(true).build();
        for (AparapiFlashAttention k : KERNELS) {
            AttentionCheck.Inputs in = new AttentionCheck.Inputs(s, SEED + 7);
            AttentionCheck.check(k, s, in);
            AttentionCheck.Inputs fresh = new AttentionCheck.Inputs(s, SEED + 8);
            System.arraycopy(fresh.q, 0, in.q, 0, in.q.length);
            System.arraycopy(fresh.k, 0, in.k, 0, in.k.length);
            System.arraycopy(fresh.v, 0, in.v, 0, in.v.length);
            System.arraycopy(fresh.dOut, 0, in.dOut, 0, in.dOut.length);
            AttentionCheck.check(k, s, in); // same array objects, new contents
        }
    }

    @Test
    void wrongBuffersAreNamed() {
        AttentionShape s = AttentionShape.builder().batch(1).heads(2).queryLength(3).keyLength(5).headDim(4).build();
        float[] q = new float[24], kv = new float[40], out = new float[24], lse = new float[6];
        for (AparapiFlashAttention k : KERNELS) {
            IllegalArgumentException e = org.junit.jupiter.api.Assertions.assertThrows(IllegalArgumentException.class,
                    () -> k.forward(s, q, new float[24], kv, out, lse));
            assertTrue(e.getMessage().startsWith("k has 24 elements; expected 40"), e.getMessage());
            e = org.junit.jupiter.api.Assertions.assertThrows(IllegalArgumentException.class,
                    () -> k.backward(s, q, kv, kv, out, lse, q, q, kv, new float[1]));
            assertTrue(e.getMessage().startsWith("dv has 1 elements; expected 40"), e.getMessage());
        }
    }

    @Test
    void backendNamesTheDevice() {
        for (AparapiFlashAttention k : KERNELS) {
            assertTrue(k.backend().startsWith("aparapi-opencl"), k.backend());
            assertTrue(k.backend().contains(k.device().getName().trim()), k.backend());
        }
    }
}
