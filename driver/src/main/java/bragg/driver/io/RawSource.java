package bragg.driver.io;

import java.io.IOException;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * Headerless binary (NORDIF Pattern.dat, Merlin frames with headers stripped, detector dumps):
 * the user declares shape, dtype, byte order and an optional offset; the file size must match.
 */
public final class RawSource implements SampleSource {
    private final ArrayInfo info;
    private final long offset;

    private RawSource(ArrayInfo info, long offset) {
        this.info = info;
        this.offset = offset;
    }

    public static RawSource open(Path file, OpenOptions opt) throws IOException {
        if (opt.shape() == null || opt.dtype() == null) {
            throw new IllegalArgumentException(file + ": raw binary needs a declared shape and dtype (options shape and dtype)");
        }
        long[] shape = opt.shape();
        if (shape.length < 2) throw new IllegalArgumentException(file + ": raw shape " + Shapes.str(shape) + " needs at least 2 axes [H, W]");
        long off = opt.offset() == null ? 0 : opt.offset();
        long need = off + Shapes.product(shape) * opt.dtype().size;
        long size = Files.size(file);
        if (size != need) {
            long sample = shape[shape.length - 1] * shape[shape.length - 2] * opt.dtype().size;
            throw new IllegalArgumentException(file + ": declared shape " + Shapes.str(shape) + " " + opt.dtype().label() + " at offset "
                    + off + " needs " + need + " bytes but the file has " + size + " bytes ("
                    + ((size - off) % sample == 0 ? (size - off) / sample + " whole samples" : "not a whole number of " + sample + "-byte samples") + ")");
        }
        List<String> axes = new ArrayList<>();
        for (int i = 0; i < shape.length; i++) axes.add("axis" + i);
        int[] sample = {(int) shape[shape.length - 2], (int) shape[shape.length - 1]};
        long[] pos = java.util.Arrays.copyOf(shape, shape.length - 2);
        long[] full = Shapes.withScan(file.toString(), pos, sample, opt.scan());
        if (full.length != axes.size()) {
            axes = new ArrayList<>();
            for (int i = 0; i < full.length; i++) axes.add("axis" + i);
        }
        String order = opt.dtype().size == 1 ? "none" : opt.byteOrder() == null ? "little" : opt.byteOrder();
        return new RawSource(new ArrayInfo("raw", file.toString(), full, 2, opt.dtype(), order, axes, Map.of("offset", Long.toString(off))), off);
    }

    @Override
    public ArrayInfo info() {
        return info;
    }


    @Override
    public SlabReader open() throws IOException {
        ByteOrder bo = "big".equals(info.byteOrder()) ? ByteOrder.BIG_ENDIAN : ByteOrder.LITTLE_ENDIAN;
        return new FramedBinaryReader(info.path(), offset, 0, info.sampleSize(), info.dtype(), bo, null);
    }
}
