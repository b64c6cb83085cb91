package bragg.worker.model.ops;

import bragg.kernels.AttentionKernel;
import bragg.kernels.ReferenceAttention;

import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * The one place the model obtains its float32 attention kernel (the seam between worker/ and kernels/).
 *
 * <p>Device names are those of kernels/: {@code auto}, {@code opencl-gpu}, {@code opencl-cpu}, {@code java}.
 * Kernels are not thread-safe, so each thread gets its own instance per device; all attention layers
 * of one replica (one thread) share it, since they call it one after another.
 *
 * <p>Double-precision networks (gradient checks) do not come here: {@link AttentionOp} calls
 * {@link ReferenceAttention}'s double[] API, which is the same math without the float32 rounding.
 */
public final class KernelProvider {
    /** Device names accepted by {@link #forThread}. */
    public static final List<String> DEVICES = List.of("auto", "opencl-gpu", "opencl-cpu", "java");

    private static final ThreadLocal<Map<String, AttentionKernel>> KERNELS = ThreadLocal.withInitial(HashMap::new);

    private KernelProvider() {
    }

    /** Throws naming the key when {@code device} is not one of {@link #DEVICES}. */
    public static String checkDevice(String key, String device) {
        if (device == null || !DEVICES.contains(device)) {
            throw new IllegalArgumentException(key + " = '" + device + "' is not an attention device; expected one of "
                    + DEVICES);
        }
        return device;
    }

    /** This thread's kernel for {@code device}, opened on first use. */
    public static AttentionKernel forThread(String device) {
        checkDevice("attention device", device);
        return KERNELS.get().computeIfAbsent(device, KernelProvider::open);
    }

    /** Name of the backend that {@link #forThread} gives for {@code device} (for logs and benchmarks). */
    public static String backend(String device) {
        return forThread(device).backend();
    }

    private static AttentionKernel open(String device) {
        // The fast backends are selected by kernels/ (bragg.kernels.AttentionKernels.open(device));
        // until that factory is on main every device name runs the float API of the reference.
        return new ReferenceAttention();
    }
}
