package bragg.jobs.data;

import bragg.driver.io.DType;
import bragg.driver.io.OpenOptions;
import picocli.CommandLine.Option;

/** Command-line options describing how to open an input (mirrors bragg.data.* config keys). */
public final class InputOptions {
    @Option(names = "--dataset", description = "HDF5 dataset path (default: found from the file's layout)")
    String dataset;

    @Option(names = "--shape", description = "declared full shape, e.g. 8,256,256 (required for raw binary)")
    String shape;

    @Option(names = "--input-dtype", description = "element type of raw binary: u8, i8, u16, i16, u32, i32, i64, f32, f64")
    String dtype;

    @Option(names = "--byte-order", description = "byte order of raw binary: little or big (default little)")
    String byteOrder;

    @Option(names = "--offset", description = "bytes to skip at the start of raw binary (default 0)")
    Long offset;

    @Option(names = "--scan", description = "scan shape y,x to reshape the positions into (Merlin .mib stores none)")
    String scan;

    @Option(names = "--image-size", description = "H,W to resize images to (needed when sizes differ)")
    String imageSize;

    @Option(names = "--channels", description = "images: 1 (grey; RGB by luminance) or 3 (RGB)")
    Integer channels;

    public OpenOptions toOpenOptions() {
        long[] size = OpenOptions.parseShape("image_size", imageSize);
        int[] is = size == null ? null : new int[]{Math.toIntExact(size[0]), size.length > 1 ? Math.toIntExact(size[1]) : -1};
        return new OpenOptions(dataset, OpenOptions.parseShape("shape", shape), dtype == null ? null : DType.parse(dtype),
                byteOrder, offset, OpenOptions.parseShape("scan", scan), is, channels);
    }
}
