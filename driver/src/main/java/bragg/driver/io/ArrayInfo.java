package bragg.driver.io;

import java.io.Serializable;
import java.util.Arrays;
import java.util.List;
import java.util.Map;

/**
 * What a reader found in a file's header: the logical shape (leading axes are sample
 * positions: scan [y, x], layers, images; the last {@code sampleDims} axes are one sample),
 * the stored element type and byte order, axis names/units and free-form metadata.
 *
 * @param format     e.g. "npy", "mib", "hdf5/emd1", "hdf5/fpd", "hdf5/h5ebsd", "hdf5/peregrine", "png", "tiff"
 * @param path       the file (or folder) read
 * @param shape      logical shape, positions first then the sample axes
 * @param sampleDims how many trailing axes form one sample (2: [H, W]; 3: [C, H, W])
 * @param byteOrder  "big", "little" or "none" (one-byte types, images)
 * @param axes       one name per axis (with units in brackets where the file has them)
 */
public record ArrayInfo(String format, String path, long[] shape, int sampleDims, DType dtype, String byteOrder,
                        List<String> axes, Map<String, String> metadata) implements Serializable {

    public ArrayInfo {
        if (shape.length < sampleDims || sampleDims < 1) {
            throw new IllegalArgumentException(path + ": shape " + Arrays.toString(shape)
                    + " has fewer than the " + sampleDims + " sample axes");
        }
        if (axes.size() != shape.length) {
            throw new IllegalArgumentException(path + ": " + axes.size() + " axis names for shape " + Arrays.toString(shape));
        }
        axes = List.copyOf(axes);
        metadata = Map.copyOf(metadata);
    }

    /** Number of samples = product of the leading (position) axes. */
    public long sampleCount() {
        long n = 1;
        for (int i = 0; i < shape.length - sampleDims; i++) n *= shape[i];
        return n;
    }

    /** Leading (position) axes, e.g. [scan_y, scan_x] or [layers]. */
    public long[] positionShape() {
        return Arrays.copyOf(shape, shape.length - sampleDims);
    }

    /** Trailing sample axes as int[], e.g. [H, W] or [C, H, W]. */
    public int[] sampleShape() {
        int[] s = new int[sampleDims];
        for (int i = 0; i < sampleDims; i++) s[i] = Math.toIntExact(shape[shape.length - sampleDims + i]);
        return s;
    }

    /** Elements in one sample. */
    public int sampleSize() {
        long n = 1;
        for (int d : sampleShape()) n *= d;
        return Math.toIntExact(n);
    }

    /** Bytes of raw input this array stands for (sampleCount x sampleSize x dtype size). */
    public long rawBytes() {
        return sampleCount() * sampleSize() * (long) dtype.size;
    }
}
