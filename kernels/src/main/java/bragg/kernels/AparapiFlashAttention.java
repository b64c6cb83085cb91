package bragg.kernels;

import com.aparapi.Kernel;
import com.aparapi.Range;
import com.aparapi.device.Device;
import com.aparapi.device.OpenCLDevice;
import com.aparapi.exception.CompileFailedException;
import com.aparapi.internal.kernel.KernelManager;

import java.util.List;


/**
 * Flash attention on an OpenCL device through Aparapi: the forward and the FlashAttention-2
 * backward of {@link FlashAttentionKernel}, K/V (or Q/dO) tiles in local memory, online softmax,
 * logsumexp kept for the backward. Layout and masks as {@link AttentionShape} documents.
 *
 * <p>One compiled Aparapi kernel per tile size in use (tile T chosen per device from its local
 * memory and largest work-group, and per head size: {@link #tileFor}), built and smoke-tested on
 * first use and kept, in explicit buffer mode: inputs go to the device with {@code put}, results
 * come back with {@code get}, and D = rowsum(dO * O) stays on the device between the four
 * backward passes. Aparapi keeps a device buffer per Java array and
 * reuses it while the same array is passed again, so a caller that reuses its float[] buffers
 * (a training loop does) pays no reallocation.
 *
 * <p>Aparapi, when OpenCL compilation or execution fails, silently reruns the kernel in its
 * Java thread pool. This class never lets that pass: the kernel is compiled for the device in
 * the constructor (a compile error is thrown there), and after every execute the device that
 * actually ran is checked; anything but the requested OpenCL device is an
 * {@link IllegalStateException}.
 */
public final class AparapiFlashAttention implements AttentionKernel {
    /** Tile sizes T the kernel is built for, largest first; the work-group is (T/4)^2 work-items. */
    static final int[] TILES = {64, 32, 16};

    private final OpenCLDevice device;
    /** Largest tile this device holds: local memory and work-group size allow it. */
    private final int deviceTile;
    /** One compiled kernel per tile in use (a shape class: head sizes that pick the same tile), built once. */
    private final FlashAttentionKernel[] kernels = new FlashAttentionKernel[TILES.length];
    private int[] keyLen = new int[0];
    private float[] dRow = new float[0];
    private boolean closed;

    /** A kernel for {@code device}; compiles it now so that a device that cannot run it fails here. */
    public AparapiFlashAttention(OpenCLDevice device) {
        this.device = device;
        SignalChaining.warnIfMissing(describe(device));
        this.deviceTile = chooseDeviceTile(device);
        kernelFor(tileFor(AttentionShape.MAX_HEAD_DIM / 2));
    }

    /** The compiled kernel of tile T, built and smoke-tested on first use. */
    private FlashAttentionKernel kernelFor(int tile) {
        int slot = 0;
        while (TILES[slot] != tile) {
            slot++;
        }
        if (kernels[slot] == null) {
            FlashAttentionKernel kernel = new FlashAttentionKernel(tile);
            kernel.setExplicit(true);
            try {
                kernel.compile(device);
            } catch (CompileFailedException | RuntimeException e) {
                // no dispose(): Aparapi 3.0.2's native dispose crashes (SIGSEGV in deleteJavaArray) on a
                // kernel that never executed; the failed compile holds nothing worth releasing
                throw new IllegalStateException("Aparapi could not compile the flash-attention kernel (tile " + tile
                        + ") for OpenCL device " + describe(device) + ": " + e.getMessage(), e);
            }
            smokeTest(kernel);
            kernels[slot] = kernel;
        }
        return kernels[slot];
    }

    /**
     * One forward of a single query over a single key (out must equal v) on the 1-element arrays
     * the kernel starts with. It proves the device runs the kernel before anyone relies on it, and
     * it binds every kernel argument once: Aparapi 3.0.2 crashes in {@code dispose()} on a kernel
     * that was compiled but never executed.
     */
    private void smokeTest(FlashAttentionKernel kernel) {
        kernel.q[0] = 0.5f;
        kernel.k[0] = 2f;
        kernel.v[0] = 3f;
        kernel.keyLen[0] = 1;
        kernel.heads = 1;
        kernel.lq = 1;
        kernel.lk = 1;
        kernel.dh = 1;
        kernel.causal = 0;
        kernel.scale = 1f;
        kernel.pass = FlashAttentionKernel.PASS_FORWARD;
        kernel.numTiles = 1;
        kernel.numChunks = 1;
        kernel.numRows = 1;
        kernel.put(kernel.q).put(kernel.k).put(kernel.v).put(kernel.keyLen);
        executeOn(kernel, device, Range.create2D(device, kernel.tbN, kernel.tbN, kernel.tbN, kernel.tbN));
        kernel.get(kernel.out).get(kernel.lse);
        if (kernel.out[0] != 3f || kernel.lse[0] != 1f) {
            kernel.dispose();
            throw new IllegalStateException("the flash-attention kernel (tile " + kernel.tile
                    + ") computed a wrong result on OpenCL device " + describe(device) + ": out = " + kernel.out[0]
                    + ", lse = " + kernel.lse[0] + " for one query and one key (expected 3.0 and 1.0)");
        }
    }

    /** The largest tile whose local memory and work-group size the device has. */
    static int chooseDeviceTile(OpenCLDevice device) {
        for (int t : TILES) {
            int group = (t / 4) * (t / 4);
            if (FlashAttentionKernel.localBytes(t) <= device.getLocalMemSize()
                    && group <= device.getMaxWorkGroupSize() && group <= device.getMaxWorkItemSize()[0]) {
                return t;
            }
        }
        throw new IllegalStateException("OpenCL device " + describe(device) + " is too small for the flash-attention "
                + "kernel: tile 16 needs " + FlashAttentionKernel.localBytes(16) + " bytes of local memory and "
                + "work-groups of 16; it has " + device.getLocalMemSize() + " bytes and work-groups of at most "
                + device.getMaxWorkGroupSize());
    }

    /**
     * Tile for head size dh: the device's largest, but no larger than dh rounded up to a power of
     * two (a 64-wide tile would spend half its multiply-adds on the zero padding of Dh = 32).
     */
    int tileFor(int dh) {
        int t = deviceTile;
        while (t > TILES[TILES.length - 1] && t / 2 >= dh) {
            t /= 2;
        }
        return t;
    }

    static String describe(OpenCLDevice d) {
        return d.getType() + " '" + d.getName() + "' (platform '" + d.getOpenCLPlatform().getName() + "', "
                + d.getMaxComputeUnits() + " compute units, local memory " + d.getLocalMemSize() / 1024 + " KiB)";
    }

    public OpenCLDevice device() {
        return device;
    }

    @Override
    public String backend() {
        return "aparapi-opencl " + device.getType().toString().toLowerCase() + " '" + device.getName().trim()
                + "' tile<=" + deviceTile + " (work-group " + (deviceTile / 4) * (deviceTile / 4) + ", 4x4 per work-item)";
    }

    @Override
    public void forward(AttentionShape s, float[] q, float[] k, float[] v, float[] out, float[] lse) {
        AttentionKernel.checkForward(s, q, k, v, out, lse);
        checkOpen();
        FlashAttentionKernel kernel = bind(s);
        kernel.q = q;
        kernel.k = k;
        kernel.v = v;
        kernel.out = out;
        kernel.lse = lse;
        kernel.put(q).put(k).put(v).put(keyLen);
        execute(kernel, FlashAttentionKernel.PASS_FORWARD, s, s.queryLength);
        kernel.get(out).get(lse);
    }

    @Override
    public void backward(AttentionShape s, float[] q, float[] k, float[] v, float[] out, float[] lse, float[] dOut,
                         float[] dq, float[] dk, float[] dv) {
        AttentionKernel.checkBackward(s, q, k, v, out, lse, dOut, dq, dk, dv);
        checkOpen();
        FlashAttentionKernel kernel = bind(s);
        if (dRow.length != s.rows()) {
            dRow = new float[s.rows()]; // [B, H, Lq] lives on the device; never read back
        }
        kernel.q = q;
        kernel.k = k;
        kernel.v = v;
        kernel.out = out;
        kernel.lse = lse;
        kernel.dOut = dOut;
        kernel.dq = dq;
        kernel.dk = dk;
        kernel.dv = dv;
        kernel.dRow = dRow;
        kernel.put(q).put(k).put(v).put(out).put(lse).put(dOut).put(keyLen);
        kernel.pass = FlashAttentionKernel.PASS_D;
        int g = kernel.groupSize;
        executeOn(kernel, device, (s.rows() + g - 1) / g * g, g);
        execute(kernel, FlashAttentionKernel.PASS_DV, s, s.keyLength);
        execute(kernel, FlashAttentionKernel.PASS_DK, s, s.keyLength);
        execute(kernel, FlashAttentionKernel.PASS_DQ, s, s.queryLength);
        kernel.get(dq).get(dk).get(dv);
    }

    /** The kernel of this shape's tile, with the shape's scalars and key lengths bound. */
    private FlashAttentionKernel bind(AttentionShape s) {
        FlashAttentionKernel kernel = kernelFor(tileFor(s.headDim));
        if (keyLen.length != s.batch) {
            keyLen = new int[s.batch];
        }
        for (int b = 0; b < s.batch; b++) {
            keyLen[b] = s.validKeys(b);
        }
        kernel.keyLen = keyLen;
        kernel.heads = s.heads;
        kernel.lq = s.queryLength;
        kernel.lk = s.keyLength;
        kernel.dh = s.headDim;
        kernel.causal = s.causal ? 1 : 0;
        kernel.scale = s.scale;
        kernel.numChunks = (s.headDim + kernel.tile - 1) / kernel.tile;
        kernel.numRows = s.rows();
        return kernel;
    }

    /** Runs one pass over (b, h, tile of {@code rows}, Dh chunk) groups and checks it ran on our device. */
    private void execute(FlashAttentionKernel kernel, int pass, AttentionShape s, int rows) {
        int tiles = (rows + kernel.tile - 1) / kernel.tile;
        long groups = (long) s.batch * s.heads * tiles * kernel.numChunks;
        if (groups * kernel.groupSize > Integer.MAX_VALUE) {
            throw new IllegalArgumentException("too many work-items for one launch: " + groups + " groups of "
                    + kernel.groupSize + " for " + s);
        }
        kernel.pass = pass;
        kernel.numTiles = tiles;
        executeOn(kernel, device, Range.create2D(device, (int) groups * kernel.tbN, kernel.tbN, kernel.tbN, kernel.tbN));
    }

    /**
     * Executes {@code kernel} on {@code device} and makes sure it ran there. When OpenCL fails,
     * Aparapi's fallback either runs the kernel in Java (assertions off: only a log warning) or,
     * with a Range bound to a device and assertions on, dies in its own assert; both become an
     * {@link IllegalStateException} here.
     */
    static void executeOn(Kernel kernel, OpenCLDevice device, int global, int local) {
        executeOn(kernel, device, Range.create(device, global, local));
    }

    /** {@link #executeOn(Kernel, OpenCLDevice, int, int)} on any range of the device. */
    static void executeOn(Kernel kernel, OpenCLDevice device, Range range) {
        try {
            kernel.execute(range);
        } catch (AssertionError e) {
            throw new IllegalStateException("Aparapi could not run " + kernel.getClass().getSimpleName()
                    + " on the OpenCL device " + describe(device) + " and tried to fall back to Java: "
                    + e.getMessage() + "; see Aparapi's log warnings above", e);
        }
        requireRanOn(kernel, device);
    }

    /**
     * Throws when Aparapi has given up on {@code device} for this kernel class. After an OpenCL
     * compile or run failure Aparapi marks the device failed in the kernel class's preferences
     * ({@code KernelPreferences.getFailedDevices()}) and reruns the kernel in its Java thread pool
     * with only a log warning. ({@code Kernel.getTargetDevice()} and {@code isRunningCL()} report
     * the preferred device, not the one that ran, so they are checked only as a second sign.)
     */
    static void requireRanOn(Kernel kernel, OpenCLDevice device) {
        List<Device> failed = KernelManager.instance().getPreferences(kernel).getFailedDevices();
        boolean deviceFailed = failed.stream().anyMatch(f -> f == device
                || (f instanceof OpenCLDevice && ((OpenCLDevice) f).getDeviceId() == device.getDeviceId()));
        if (deviceFailed || !kernel.isRunningCL()) {
            Device preferred = kernel.getTargetDevice();
            throw new IllegalStateException("Aparapi did not run " + kernel.getClass().getSimpleName()
                    + " on the OpenCL device " + describe(device) + ": devices it marked failed " + failed
                    + ", now preferring " + (preferred == null ? "no device" : preferred.getShortDescription())
                    + "; OpenCL compilation or execution failed and Aparapi fell back to Java "
                    + "(see its log warnings above). Use device 'java' to run without OpenCL on purpose.");
        }
    }

    private void checkOpen() {
        if (closed) {
            throw new IllegalStateException("this AparapiFlashAttention was closed");
        }
    }

    @Override
    public void close() {
        if (!closed) {
            closed = true;
            for (FlashAttentionKernel kernel : kernels) {
                if (kernel != null) {
                    kernel.dispose();
                }
            }
        }
    }

    @Override
    public String toString() {
        return backend();
    }
}
