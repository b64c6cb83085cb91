package bragg.worker.model.ops;

import bragg.kernels.AttentionKernel;
import bragg.kernels.AttentionKernels;
import bragg.kernels.ReferenceAttention;

import java.util.HashMap;
import java.util.Map;

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
    private static final ThreadLocal<Map<String, AttentionKernel>> KERNELS = ThreadLocal.withInitial(HashMap::new);
    /** The OpenCL GPU index the cluster manager assigned to this thread's task, or null. */
    private static final ThreadLocal<Integer> ASSIGNED_GPU = new ThreadLocal<>();

    private KernelProvider() {
    }

    /** Throws naming the key when {@code device} is not a device name of kernels/. */
    public static String checkDevice(String key, String device) {
        if (!AttentionKernels.DeviceName.valid(device)) {
            throw new IllegalArgumentException(key + " = '" + device + "' is not an attention device; expected one of "
                    + AttentionKernels.DEVICES);
        }
        return device;
    }

    /**
     * Pins this thread's {@code auto} and {@code opencl-gpu} attention to the GPU the cluster
     * manager gave its task ({@code spark.task.resource.gpu.amount=1}; the address is the index the
     * discovery script printed, e.g. nvidia-smi's, taken as the index among OpenCL GPUs). Without it,
     * every task of a multi-GPU executor would open the first GPU. {@code null} clears it.
     */
    public static void assignGpu(Integer index) {
        if (index != null && index < 0) {
            throw new IllegalArgumentException("assigned GPU index must be >= 0, found " + index);
        }
        ASSIGNED_GPU.set(index);
    }

    /** The device {@code device} means on this thread: {@code auto}/{@code opencl-gpu} become the assigned GPU. */
    static String resolve(String device) {
        Integer gpu = ASSIGNED_GPU.get();
        return gpu != null && (device.equals("auto") || device.equals("opencl-gpu")) ? "opencl-gpu:" + gpu : device;
    }

    /** This thread's kernel for {@code device}, opened on first use (an absent explicit device throws). */
    public static AttentionKernel forThread(String device) {
        checkDevice("attention device", device);
        return KERNELS.get().computeIfAbsent(resolve(device), AttentionKernels::open);
    }

    /** Name of the backend that {@link #forThread} gives for {@code device} (for logs and benchmarks). */
    public static String backend(String device) {
        return forThread(device).backend();
    }
}
