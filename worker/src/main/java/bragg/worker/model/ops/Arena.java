package bragg.worker.model.ops;

import java.nio.ByteBuffer;
import java.util.HashMap;
import java.util.Map;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/**
 * The buffers one layer computes in, allocated once and reused by every step: a training step
 * allocates nothing (a batch larger than any before grows a buffer once; a smaller one uses its
 * first rows). Native buffers are ND4J arrays outside every workspace, so BLAS writes into them
 * and {@link bragg.kernels.RowKernels} reads them in place; heap buffers feed the attention
 * kernels, which take float[] of exact length.
 *
 * <p>Not thread-safe: a layer instance belongs to one replica thread.
 */
public final class Arena {
    private final Map<String, INDArray> rows = new HashMap<>();
    private final Map<String, float[]> heap = new HashMap<>();

    /** A [n, c] row-major view of the native buffer {@code name}, grown when n*c exceeds it. Contents undefined. */
    public INDArray rows(String name, long n, long c) {
        long need = n * c;
        INDArray buf = rows.get(name);
        if (buf == null || buf.length() < need) {
            buf = Nd4j.createUninitializedDetached(DataType.FLOAT, need);
            rows.put(name, buf);
        }
        return Nd4j.create(buf.data(), new long[]{n, c}, new long[]{c, 1}, 0, 'c');
    }

    /** The heap buffer {@code name} of exactly {@code length} floats (reallocated when the length changes). */
    public float[] floats(String name, int length) {
        float[] a = heap.get(name);
        if (a == null || a.length != length) {
            a = new float[length];
            heap.put(name, a);
        }
        return a;
    }

    /** The native memory of a contiguous float array, for RowKernels (offsets via {@link #off}). */
    public static ByteBuffer bytes(INDArray a) {
        return a.data().asNio();
    }

    /** Element offset of {@code a} in {@link #bytes}. */
    public static int off(INDArray a) {
        return Math.toIntExact(a.offset());
    }
}
