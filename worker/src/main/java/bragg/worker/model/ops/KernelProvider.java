package bragg.worker.model.ops;

import bragg.kernels.AttentionKernel;
import bragg.kernels.AttentionKernels;
import bragg.kernels.ReferenceAttention;

import java.util.HashMap;
import java.util.Map;
import java.util.regex.Pattern;

/**
 * The one place the model obtains its float32 attention kernel (the seam between worker/ and kernels/).
 *
 * <p>Device names are those of kernels/ ({@link AttentionKernels#DEVICES}): {@code auto},
 * {@code opencl-gpu[:N]}, {@code opencl-cpu[:N]}, {@code java}. Kernels are not thread-safe, so each
 * thread gets its own instance per device; all attention layers of one replica (one thread) share
 * it, since they call it one after another.
 *
 * <p>Double-precision networks (gradient checks) do not come here: {@link AttentionOp} calls
 * {@link ReferenceAttention}'s double[] API, which is the same math without the float32 rounding.
 */
public final class KernelProvider {
    private static final Pattern DEVICE = Pattern.compile("auto|opencl-(gpu|cpu)(:\\d+)?|java");

    private static final ThreadLocal<Map<String, AttentionKernel>> KERNELS = ThreadLocal.withInitial(HashMap::new);

    private KernelProvider() {
    }

    /** Throws naming the key when {@code device} is not a device name of kernels/. */
    public static String checkDevice(String key, String device) {
        if (device == null || !DEVICE.matcher(device).matches()) {
            throw new IllegalArgumentException(key + " = '" + device + "' is not an attention device; expected one of "
                    + AttentionKernels.DEVICES);
        }
        return device;
    }

    /** This thread's kernel for {@code device}, opened on first use (an absent explicit device throws). */
    public static AttentionKernel forThread(String device) {
        checkDevice("attention device", device);
        return KERNELS.get().computeIfAbsent(device, AttentionKernels::open);
    }

    /** Name of the backend that {@link #forThread} gives for {@code device} (for logs and benchmarks). */
    public static String backend(String device) {
        return forThread(device).backend();
    }
}
