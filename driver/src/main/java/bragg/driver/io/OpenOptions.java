package bragg.driver.io;

import java.io.Serializable;
import java.util.Arrays;

/**
 * How to open an input, beyond what its header says. Every field is optional (null = take it
 * from the file); the config system maps its {@code input.*} keys onto these fields.
 *
 * @param dataset   HDF5 dataset path (default: found from the file's layout)
 * @param shape     declared full shape: required for raw binary, checked against the header otherwise
 * @param dtype     element type of raw binary (required for raw)
 * @param byteOrder "little" or "big" for raw binary (default little)
 * @param offset    bytes to skip at the start of raw binary (default 0)
 * @param scan      scan shape [y, x] to reshape the position axis into (Merlin stores none)
 * @param imageSize [H, W] to resize images to (images of different sizes need it)
 * @param channels  1 (grey, RGB converted by luminance) or 3 (RGB) for images (default: as the first image)
 */
public record OpenOptions(String dataset, long[] shape, DType dtype, String byteOrder, Long offset,
                          long[] scan, int[] imageSize, Integer channels) implements Serializable {

    public static final OpenOptions NONE = new OpenOptions(null, null, null, null, null, null, null, null);

    public OpenOptions {
        if (shape != null) positive("shape", shape);
        if (scan != null) positive("scan", scan);
        if (byteOrder != null && !byteOrder.equals("little") && !byteOrder.equals("big")) {
            throw new IllegalArgumentException("byte_order must be 'little' or 'big', got '" + byteOrder + "'");
        }
        if (offset != null && offset < 0) throw new IllegalArgumentException("offset must be >= 0, got " + offset);
        if (imageSize != null && (imageSize.length != 2 || imageSize[0] <= 0 || imageSize[1] <= 0)) {
            throw new IllegalArgumentException("image_size must be [H, W] with both > 0, got " + Arrays.toString(imageSize));
        }
        if (channels != null && channels != 1 && channels != 3) {
            throw new IllegalArgumentException("channels must be 1 or 3, got " + channels);
        }
    }

    private static void positive(String field, long[] v) {
        if (v.length == 0) throw new IllegalArgumentException(field + " must not be empty");
        for (long x : v) {
            if (x <= 0) throw new IllegalArgumentException(field + " must have every axis > 0, got " + Arrays.toString(v));
        }
    }

    public OpenOptions withDataset(String v) { return new OpenOptions(v, shape, dtype, byteOrder, offset, scan, imageSize, channels); }
    public OpenOptions withShape(long[] v) { return new OpenOptions(dataset, v, dtype, byteOrder, offset, scan, imageSize, channels); }
    public OpenOptions withDtype(DType v) { return new OpenOptions(dataset, shape, v, byteOrder, offset, scan, imageSize, channels); }
    public OpenOptions withByteOrder(String v) { return new OpenOptions(dataset, shape, dtype, v, offset, scan, imageSize, channels); }
    public OpenOptions withOffset(Long v) { return new OpenOptions(dataset, shape, dtype, byteOrder, v, scan, imageSize, channels); }
    public OpenOptions withScan(long[] v) { return new OpenOptions(dataset, shape, dtype, byteOrder, offset, v, imageSize, channels); }
    public OpenOptions withImageSize(int[] v) { return new OpenOptions(dataset, shape, dtype, byteOrder, offset, scan, v, channels); }
    public OpenOptions withChannels(Integer v) { return new OpenOptions(dataset, shape, dtype, byteOrder, offset, scan, imageSize, v); }

    /** Parses "2,4" or "2x4" into {2, 4}; the field name goes into the error. */
    public static long[] parseShape(String field, String s) {
        if (s == null || s.isBlank()) return null;
        String[] parts = s.trim().split("\\s*[,x]\\s*");
        long[] out = new long[parts.length];
        for (int i = 0; i < parts.length; i++) {
            try {
                out[i] = Long.parseLong(parts[i]);
            } catch (NumberFormatException e) {
                throw new IllegalArgumentException(field + " must be integers separated by ',' or 'x', got '" + s + "'");
            }
        }
        return out;
    }
}
