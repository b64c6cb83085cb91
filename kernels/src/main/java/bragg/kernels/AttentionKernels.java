package bragg.kernels;

import com.aparapi.device.Device;
import com.aparapi.device.OpenCLDevice;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * Opens an {@link AttentionKernel} by device name. The names (config key values):
 * <pre>
 *   auto              an OpenCL GPU, else Java (never an OpenCL CPU device: Java is faster on
 *                     the same cores); logs which and why
 *   opencl-gpu        the first OpenCL GPU; an error when there is none
 *   opencl-gpu:N      the N-th OpenCL GPU (0-based, in the order OpenCL lists them)
 *   opencl-cpu        the first OpenCL CPU device (e.g. PoCL); an error when there is none
 *   opencl-cpu:N      the N-th OpenCL CPU device
 *   java              {@link JavaFlashAttention}, multi-threaded plain Java
 * </pre>
 * On a Spark cluster with GPU scheduling ({@code spark.task.resource.gpu.amount}), a task opens
 * the GPU Spark assigned to it: {@code "opencl-gpu:" + TaskContext.get().resources().get("gpu").addresses()[0]}.
 * Spark's addresses are what the cluster's GPU discovery script reports; with the usual
 * script (nvidia-smi indices) they equal OpenCL's GPU order on a node with one GPU vendor.
 * {@link #listOpenClDevices()} prints the order for checking.
 *
 * <p>An explicit choice that cannot be honoured throws {@link IllegalArgumentException} naming the
 * device and listing what was found; it never falls back.
 */
public final class AttentionKernels {
    private static final System.Logger LOG = System.getLogger(AttentionKernels.class.getName());

    /** The accepted device names, for error messages and config documentation. */
    public static final String DEVICES = "auto, opencl-gpu[:N], opencl-cpu[:N], java";

    private AttentionKernels() {
    }

    /**
     * Opens the kernel for {@code device}; see the class comment for the names. Synchronized: the
     * replicas of one executor open their kernels from their own threads at the same moment, and
     * OpenCL platform enumeration and kernel builds through Aparapi's JNI crash the JVM (SIGSEGV in
     * OpenCLJNI.getPlatforms with PoCL) when two threads run them at once.
     */
    public static synchronized AttentionKernel open(String device) {
        if (device == null || device.isBlank()) {
            throw new IllegalArgumentException("attention device is empty; expected one of " + DEVICES);
        }
        DeviceName d = DeviceName.parse(device.trim().toLowerCase(Locale.ROOT));
        if (d.kind().equals("java")) {
            return new JavaFlashAttention();
        }
        if (d.kind().equals("auto")) {
            return openAuto();
        }
        Device.TYPE type = d.kind().equals("opencl-gpu") ? Device.TYPE.GPU : Device.TYPE.CPU;
        int index = d.index();
        List<OpenCLDevice> found = listDevices(type);
        if (index >= found.size()) {
            throw new IllegalArgumentException("attention device '" + device + "' is not available: found "
                    + found.size() + " OpenCL " + type + " device(s); all OpenCL devices: " + describeAll());
        }
        try {
            return new AparapiFlashAttention(found.get(index));
        } catch (IllegalStateException e) {
            throw new IllegalArgumentException("attention device '" + device + "' cannot run the kernel: "
                    + e.getMessage(), e);
        }
    }

    /**
     * An OpenCL GPU, else Java. An OpenCL CPU device (PoCL) is never taken by {@code auto}: it runs
     * on the same cores as the Java kernel, which is several times faster there (BENCHMARKS.md,
     * bench attention), so it is used only when asked for by name ({@code opencl-cpu}). Logs one
     * INFO line "attention device auto: took BACKEND because REASONS" (a GPU that is listed but
     * cannot run the kernel is also logged, as a WARNING, and is one of the reasons).
     */
    private static AttentionKernel openAuto() {
        List<String> why = new ArrayList<>();
        List<OpenCLDevice> gpus = listDevices(Device.TYPE.GPU);
        if (gpus.isEmpty()) {
            why.add("no OpenCL GPU device");
        } else {
            try {
                AparapiFlashAttention k = new AparapiFlashAttention(gpus.get(0));
                why.add("OpenCL GPU " + AparapiFlashAttention.describe(gpus.get(0)) + " is the first of " + gpus.size()
                        + " and ran the kernel's self-test");
                LOG.log(System.Logger.Level.INFO, "attention device auto: took " + k.backend() + " because "
                        + String.join("; ", why));
                return k;
            } catch (IllegalStateException e) {
                // a device that is listed but cannot compile the kernel is reported, then Java is taken
                LOG.log(System.Logger.Level.WARNING, "attention device auto: OpenCL GPU "
                        + AparapiFlashAttention.describe(gpus.get(0)) + " failed: " + e.getMessage());
                why.add("OpenCL GPU failed to run the kernel: " + e.getMessage());
            }
        }
        int cpus = listDevices(Device.TYPE.CPU).size();
        if (cpus > 0) {
            why.add(cpus + " OpenCL CPU device(s) not taken: on the same cores the Java kernel is faster"
                    + " (ask for opencl-cpu to use one)");
        }
        JavaFlashAttention k = new JavaFlashAttention();
        LOG.log(System.Logger.Level.INFO, "attention device auto: took " + k.backend() + " because "
                + String.join("; ", why));
        return k;
    }

    /**
     * A parsed attention device name: kind "auto", "java", "opencl-gpu" or "opencl-cpu", and the
     * OpenCL index (0 when none is given). The one parser of device names: the config key
     * bragg.kernels.device, the model layers and {@link #open} all check names through it.
     */
    public record DeviceName(String kind, int index) {
        /** Throws naming {@code device} and the accepted forms unless it is one of {@link #DEVICES}. */
        public static DeviceName parse(String device) {
            if (device == null) {
                throw new IllegalArgumentException("attention device is missing; expected one of " + DEVICES);
            }
            if (device.equals("auto") || device.equals("java")) {
                return new DeviceName(device, 0);
            }
            for (String kind : new String[]{"opencl-gpu", "opencl-cpu"}) {
                if (device.startsWith(kind)) {
                    String rest = device.substring(kind.length());
                    if (rest.isEmpty()) {
                        return new DeviceName(kind, 0);
                    }
                    if (rest.matches(":\\d{1,9}")) {
                        return new DeviceName(kind, Integer.parseInt(rest.substring(1)));
                    }
                    throw new IllegalArgumentException("attention device '" + device
                            + "': the index after ':' must be a non-negative integer; expected one of " + DEVICES);
                }
            }
            throw new IllegalArgumentException("unknown attention device '" + device + "'; expected one of " + DEVICES);
        }

        /** True when {@code device} parses. */
        public static boolean valid(String device) {
            try {
                parse(device);
                return true;
            } catch (IllegalArgumentException e) {
                return false;
            }
        }
    }

    /** OpenCL devices of a type; none (with the reason logged) when OpenCL itself cannot be loaded. */
    public static synchronized List<OpenCLDevice> listDevices(Device.TYPE type) {
        try {
            List<OpenCLDevice> list = OpenCLDevice.listDevices(type);
            return list == null ? List.of() : list;
        } catch (LinkageError | RuntimeException e) {
            // Aparapi's native loader throws (UnsatisfiedLinkError, then NoClassDefFoundError on later
            // calls) when libOpenCL.so.1 is absent: that means no OpenCL on this machine
            LOG.log(System.Logger.Level.DEBUG, "OpenCL not available: " + e);
            return List.of();
        }
    }

    /** A one-line description of every OpenCL device, GPUs first, with the index open() takes. */
    public static String listOpenClDevices() {
        return describeAll();
    }

    private static String describeAll() {
        List<String> parts = new ArrayList<>();
        for (Device.TYPE type : new Device.TYPE[] {Device.TYPE.GPU, Device.TYPE.CPU}) {
            List<OpenCLDevice> found = listDevices(type);
            for (int i = 0; i < found.size(); i++) {
                String prefix = type == Device.TYPE.GPU ? "opencl-gpu:" : "opencl-cpu:";
                parts.add(prefix + i + " = " + AparapiFlashAttention.describe(found.get(i)));
            }
        }
        return parts.isEmpty() ? "none" : String.join(", ", parts);
    }
}
