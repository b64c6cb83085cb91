package bragg.driver.io;

import java.io.EOFException;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * A NumPy .npy array (v1-v3, either byte order, C or Fortran order). The last two axes are one
 * sample; the leading axes are positions (optionally reshaped into a scan).
 */
public final class NpySource implements SampleSource {
    private final ArrayInfo info;
    private final NpyHeader header;

    private NpySource(ArrayInfo info, NpyHeader header) {
        this.info = info;
        this.header = header;
    }

    public static NpySource open(Path file, OpenOptions opt) throws IOException {
        NpyHeader h = NpyHeader.read(file);
        long need = h.dataOffset() + h.dataBytes();
        long size = Files.size(file);
        if (size < need) {
            throw new IOException(file + ": truncated .npy: header declares shape " + Shapes.str(h.shape()) + " " + h.dtype().label()
                    + " = " + need + " bytes (data from offset " + h.dataOffset() + ") but the file has " + size + " bytes");
        }
        int sampleDims = Math.min(2, h.shape().length);
        if (sampleDims == 0) throw new IllegalArgumentException(file + ": .npy holds a scalar, not an array of samples");
        int[] sample = new int[sampleDims];
        long[] pos = new long[h.shape().length - sampleDims];
        for (int i = 0; i < pos.length; i++) pos[i] = h.shape()[i];
        for (int i = 0; i < sampleDims; i++) {
            long d = h.shape()[pos.length + i];
            if (d > Integer.MAX_VALUE) {
                throw new IllegalArgumentException(file + ": .npy header field 'shape' " + Shapes.str(h.shape()) + " axis "
                        + (pos.length + i) + " (a sample axis) is " + d + ", expected at most " + Integer.MAX_VALUE);
            }
            sample[i] = (int) d;
        }
        long[] shape = Shapes.withScan(file.toString(), pos, sample, opt.scan());
        Shapes.checkDeclared(file.toString(), opt.shape(), shape);
        List<String> axes = new ArrayList<>();
        for (int i = 0; i < shape.length; i++) axes.add("axis" + i);
        ArrayInfo info = new ArrayInfo("npy", file.toString(), shape, sampleDims, h.dtype(),
                h.dtype().size == 1 ? "none" : h.order() == ByteOrder.BIG_ENDIAN ? "big" : "little", axes,
                Map.of("npy_version", h.major() + ".0", "order", h.fortran() ? "F" : "C", "data_offset", Long.toString(h.dataOffset())));
        return new NpySource(info, h);
    }

    @Override
    public ArrayInfo info() {
        return info;
    }

    @Override
    public List<String> files() {
        return List.of(info.path());
    }

    @Override
    public SlabReader open() throws IOException {
        if (!header.fortran()) {
            return new FramedBinaryReader(info.path(), header.dataOffset(), 0, info.sampleSize(), header.dtype(), header.order(), null);
        }
        return new FortranReader();
    }

    /**
     * Fortran order: the position axes vary fastest, so one sample is scattered. For each
     * pixel the task reads the span of element positions covering the slab's samples.
     */
    private final class FortranReader implements SlabReader {
        private final FileChannel ch;
        private final long[] full = header.shape();      // file's own shape (before any scan reshape)
        private final int lead = full.length - info.sampleDims();

        FortranReader() throws IOException {
            ch = FileChannel.open(Path.of(info.path()), StandardOpenOption.READ);
        }

        @Override
        public void read(long first, int count, float[] out) throws IOException {
            int ss = info.sampleSize();
            long nLead = 1;
            for (int i = 0; i < lead; i++) nLead *= full[i];
            long[] leadF = new long[count];
            long lo = Long.MAX_VALUE;
            long hi = -1;
            for (int s = 0; s < count; s++) {
                leadF[s] = fortranIndex(first + s, 0, lead);
                lo = Math.min(lo, leadF[s]);
                hi = Math.max(hi, leadF[s]);
            }
            int span = (int) (hi - lo + 1);
            DType t = header.dtype();
            ByteBuffer b = ByteBuffer.allocate(span * t.size).order(header.order());
            float[] tmp = new float[span];
            for (int p = 0; p < ss; p++) {
                long pixF = fortranIndex(p, lead, full.length);
                long at = header.dataOffset() + (lo + nLead * pixF) * t.size;
                b.clear();
                long q = at;
                while (b.hasRemaining()) {
                    int n = ch.read(b, q);
                    if (n < 0) throw new EOFException(info.path() + ": file ends at byte " + q + " inside Fortran-ordered data");
                    q += n;
                }
                b.flip();
                t.decode(b, tmp, 0, span);
                for (int s = 0; s < count; s++) out[s * ss + p] = tmp[(int) (leadF[s] - lo)];
            }
        }

        /** C-order flat index over axes [a, b) of the file shape -> Fortran flat index over the same axes. */
        private long fortranIndex(long cFlat, int a, int b) {
            long f = 0;
            long stride = 1;
            long[] idx = new long[b - a];
            for (int i = b - 1; i >= a; i--) {
                idx[i - a] = cFlat % full[i];
                cFlat /= full[i];
            }
            for (int i = a; i < b; i++) {
                f += idx[i - a] * stride;
                stride *= full[i];
            }
            return f;
        }

        @Override
        public void close() throws IOException {
            ch.close();
        }
    }
}
