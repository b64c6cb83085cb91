package bragg.worker.model.ops;

import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.indexing.NDArrayIndex;

/**
 * Layout conversions between DL4J's token layout and the row layout the math works in.
 *
 * <p>Legend used in every shape comment of the model: B batch items, T tokens (Tq queries,
 * Tk keys/values), D model width, H heads, Dh = D / H head width, F hidden width of the MLP.
 * <pre>
 *   tokens (DL4J recurrent, NCW)  [B, D, T]
 *   rows                          [B*T, D]     row b*T + t is token t of item b
 *   heads (kernels/ layout)       [B, H, T, Dh]
 *   mask (DL4J feature mask)      [B, T]       1 = real token, 0 = padding
 * </pre>
 */
public final class Tokens {
    private Tokens() {
    }

    /** [B, D, T] to rows [B*T, D], 'c' order (a copy). */
    public static INDArray toRows(INDArray x) {
        long b = x.size(0), d = x.size(1), t = x.size(2);
        return x.permute(0, 2, 1).dup('c').reshape('c', b * t, d);
    }

    /** rows [B*T, D] to [B, D, T], 'c' order (a copy). */
    public static INDArray fromRows(INDArray rows, long b, long t) {
        return rows.reshape('c', b, t, rows.size(1)).permute(0, 2, 1).dup('c');
    }

    /** rows [B*T, D] to heads [B, H, T, Dh], 'c' order. */
    public static INDArray toHeads(INDArray rows, long b, long t, int h) {
        long dh = rows.size(1) / h;
        return rows.reshape('c', b, t, h, dh).permute(0, 2, 1, 3).dup('c');
    }

    /** heads [B, H, T, Dh] to rows [B*T, H*Dh]. */
    public static INDArray fromHeads(INDArray heads) {
        long b = heads.size(0), h = heads.size(1), t = heads.size(2), dh = heads.size(3);
        return heads.permute(0, 2, 1, 3).dup('c').reshape('c', b * t, h * dh);
    }

    /**
     * Rows [B*T, D] of {@code x} without a copy when x is a tokens view of row-major memory (as
     * {@link #tokensView} makes them: strides [T*D, 1, D], outside every workspace); null otherwise.
     */
    public static INDArray rowsView(INDArray x) {
        long b = x.size(0), d = x.size(1), t = x.size(2);
        long[] s = x.stride();
        // an array in one of DL4J's workspaces is only valid until DL4J resets it: never keep a view of one
        if (x.dataType() != DataType.FLOAT || x.isAttached() || s[1] != 1 || s[2] != d || (b > 1 && s[0] != t * d)) {
            return null;
        }
        return Nd4j.create(x.data(), new long[]{b * t, d}, new long[]{d, 1}, x.offset(), 'c');
    }

    /**
     * rows [B*T, D] (row-major) seen as DL4J tokens [B, D, T], without a copy: how the float32
     * layers hand tokens to each other ({@link #rowsView} takes them back).
     */
    public static INDArray tokensView(INDArray rows, long b, long t) {
        return rows.reshape('c', b, t, rows.size(1)).permute(0, 2, 1);
    }

    /**
     * The rows of each item's first Q tokens, [B*T, D] to [B*Q, D], copied into {@code into}
     * (a new array when null). rows: row-major and contiguous.
     */
    public static INDArray leading(INDArray rows, long b, long t, long q, INDArray into) {
        long d = rows.size(1);
        INDArray dst = into != null ? into : Nd4j.create(rows.dataType(), b * q, d);
        dst.reshape('c', b, q, d).assign(rows.reshape('c', b, t, d).get(NDArrayIndex.all(), NDArrayIndex.interval(0, q),
                NDArrayIndex.all()));
        return dst;
    }

    /**
     * into[b*T + i] += rows[b*Q + i] for the first Q tokens i of each item: the gradient of
     * {@link #leading}. into [B*T, D]: row-major and contiguous (so that its reshape is a view).
     */
    public static void addLeading(INDArray rows, INDArray into, long b, long t, long q) {
        long d = rows.size(1);
        if (into.ordering() != 'c' || into.stride(1) != 1 || into.stride(0) != d) {
            throw new IllegalArgumentException("addLeading: the target [" + into.size(0) + ", " + d
                    + "] is not contiguous row-major (strides " + java.util.Arrays.toString(into.stride()) + ")");
        }
        into.reshape('c', b, t, d).get(NDArrayIndex.all(), NDArrayIndex.interval(0, q), NDArrayIndex.all())
                .addi(rows.reshape('c', b, q, d));
    }

    /** rows [B*T, D] of any tokens array [B, D, T]: the view when it is one, else a copy into {@code into}. */
    public static INDArray rowsOf(INDArray x, Arena arena, String into) {
        INDArray v = rowsView(x);
        if (v != null) {
            return v;
        }
        long b = x.size(0), d = x.size(1), t = x.size(2);
        INDArray r = arena.rows(into, b * t, d);
        tokensView(r, b, t).assign(x);
        return r;
    }

    /** The elements of the contiguous float array {@code a} (a parameter view) into {@code dst}, one bulk copy. */
    public static float[] read(INDArray a, float[] dst) {
        a.data().asNioFloat().get(Math.toIntExact(a.offset()), dst, 0, dst.length);
        return dst;
    }

    /** {@code src} into the contiguous float array {@code a} (a gradient view), one bulk copy. */
    public static void write(INDArray a, float[] src) {
        if (a.length() != src.length) {
            throw new IllegalArgumentException("Tokens.write: " + src.length + " values into " + a.length() + " elements");
        }
        a.data().asNioFloat().put(Math.toIntExact(a.offset()), src, 0, src.length);
    }

    /** The elements of {@code a} in 'c' order as float[]. */
    public static float[] floats(INDArray a) {
        if (a.dataType() != DataType.FLOAT) {
            return a.dup('c').reshape(a.length()).toFloatVector();
        }
        // One bulk copy out of native memory; toFloatVector() reads element by element.
        INDArray c = a.dup('c');
        float[] out = new float[(int) c.length()];
        c.data().asNioFloat().get(out);
        return out;
    }

    /** The elements of {@code a} in 'c' order as double[]. */
    public static double[] doubles(INDArray a) {
        return a.dup('c').reshape(a.length()).toDoubleVector();
    }

    /** An array of the given shape ('c' order) holding {@code data}. */
    public static INDArray of(float[] data, long... shape) {
        // One bulk copy into native memory; Nd4j.create(float[], ...) writes element by element.
        INDArray a = Nd4j.createUninitialized(DataType.FLOAT, shape, 'c');
        if (a.length() != data.length) {
            throw new IllegalArgumentException("Tokens.of: " + data.length + " values for shape "
                    + java.util.Arrays.toString(shape) + " (" + a.length() + " elements)");
        }
        a.data().asNioFloat().put(data);
        return a;
    }

    /** An array of the given shape ('c' order) holding {@code data}. */
    public static INDArray of(double[] data, long... shape) {
        return Nd4j.create(data, shape, DataType.DOUBLE);
    }

    /**
     * Per-item key counts from a DL4J feature mask over tokens [from, to): the kernels take key
     * padding as a length, so each row must be ones then zeros. Returns null for a null mask.
     */
    public static int[] keyLengths(INDArray mask, long from, long to, String layer) {
        if (mask == null) {
            return null;
        }
        if (mask.rank() != 2 || mask.size(1) < to) {
            throw new IllegalArgumentException(layer + ": feature mask has shape " + java.util.Arrays.toString(mask.shape())
                    + "; expected [B, T] with T >= " + to);
        }
        int batch = (int) mask.size(0);
        int[] lengths = new int[batch];
        double[][] m = mask.get(org.nd4j.linalg.indexing.NDArrayIndex.all(),
                org.nd4j.linalg.indexing.NDArrayIndex.interval(from, to)).castTo(DataType.DOUBLE).toDoubleMatrix();
        for (int b = 0; b < batch; b++) {
            int n = 0;
            while (n < m[b].length && m[b][n] != 0) {
                n++;
            }
            for (int j = n; j < m[b].length; j++) {
                if (m[b][j] != 0) {
                    throw new IllegalArgumentException(layer + ": feature mask row " + b + " has a real token at " + (from + j)
                            + " after padding at " + (from + n) + "; key padding must be trailing (ones then zeros)");
                }
            }
            lengths[b] = n;
        }
        return lengths;
    }
}
