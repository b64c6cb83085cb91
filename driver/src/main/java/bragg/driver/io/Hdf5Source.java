package bragg.driver.io;

import io.jhdf.HdfFile;
import io.jhdf.api.Dataset;
import io.jhdf.api.dataset.ChunkedDataset;
import io.jhdf.object.datatype.DataType;
import io.jhdf.object.datatype.FixedPoint;
import io.jhdf.object.datatype.FloatingPoint;
import java.io.IOException;
import java.nio.ByteOrder;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Samples in an HDF5 dataset, read with the pure-Java jhdf library (contiguous or chunked;
 * gzip, shuffle, fletcher32, lzf, lz4 filters). The driver reads the layout (metadata only);
 * each task opens the file and reads hyperslabs of its sample range.
 */
public final class Hdf5Source implements SampleSource {
    private final ArrayInfo info;
    private final int[] dims;               // the dataset's stored dims
    private final String dataset;
    private final Map<String, String> labelMasks;

    private Hdf5Source(ArrayInfo info, int[] dims, String dataset, Map<String, String> labelMasks) {
        this.info = info;
        this.dims = dims;
        this.dataset = dataset;
        this.labelMasks = labelMasks;
    }

    public static Hdf5Source open(Path file, OpenOptions opt) throws IOException {
        String f = file.toString();
        try (HdfFile h = new HdfFile(file)) {
            Hdf5Layout layout = Hdf5Layout.find(h, f, opt.dataset());
            Dataset d = Hdf5Layout.dataset(h, f, layout.dataset());
            int[] dims = d.getDimensions();
            DType dt = dtype(f, d);
            ByteOrder bo = d.getDataType() instanceof FixedPoint fp ? fp.getByteOrder()
                    : d.getDataType() instanceof FloatingPoint fl ? fl.getByteOrder() : ByteOrder.LITTLE_ENDIAN;
            int[] sample = {dims[dims.length - 2], dims[dims.length - 1]};
            long[] shape = Shapes.withScan(f, layout.positions(), sample, opt.scan());
            Shapes.checkDeclared(f, opt.shape(), shape);
            List<String> axes = layout.axes();
            if (axes.size() != shape.length) {
                String[] a = new String[shape.length];
                for (int i = 0; i < a.length; i++) a[i] = i >= a.length - 2 ? (i == a.length - 2 ? "k_y" : "k_x") : "pos" + i;
                axes = List.of(a);
            }
            Map<String, String> meta = new LinkedHashMap<>(layout.metadata());
            meta.put("dataset", layout.dataset());
            meta.put("stored_shape", Arrays.toString(dims));
            meta.put("layout", d.getDataLayout().toString());
            if (d instanceof ChunkedDataset c) meta.put("chunks", Arrays.toString(c.getChunkDimensions()));
            if (!d.getFilters().isEmpty()) meta.put("filters", d.getFilters().toString());
            if (!layout.labelMasks().isEmpty()) meta.put("label_masks", String.join(",", layout.labelMasks().keySet()));
            ArrayInfo info = new ArrayInfo(layout.format(), f, shape, 2, dt, dt.size == 1 ? "none" : bo == ByteOrder.BIG_ENDIAN ? "big" : "little", axes, meta);
            return new Hdf5Source(info, dims, layout.dataset(), layout.labelMasks());
        } catch (io.jhdf.exceptions.HdfException e) {
            throw new IOException(f + ": not readable as HDF5: " + e.getMessage(), e);
        }
    }

    private static DType dtype(String file, Dataset d) {
        DataType t = d.getDataType();
        if (t instanceof FloatingPoint) return t.getSize() == 4 ? DType.F32 : t.getSize() == 8 ? DType.F64 : unsupported(file, d);
        if (t instanceof FixedPoint fp) {
            boolean s = fp.isSigned();
            return switch (t.getSize()) {
                case 1 -> s ? DType.I8 : DType.U8;
                case 2 -> s ? DType.I16 : DType.U16;
                case 4 -> s ? DType.I32 : DType.U32;
                case 8 -> s ? DType.I64 : unsupported(file, d);
                default -> unsupported(file, d);
            };
        }
        return unsupported(file, d);
    }

    private static DType unsupported(String file, Dataset d) {
        throw new IllegalArgumentException(file + ": HDF5 dataset '" + d.getPath() + "' has element type " + d.getDataType().getClass().getSimpleName()
                + " of " + d.getDataType().getSize() + " bytes; supported are (u)int8/16/32, int64, float32, float64");
    }

    /** Class name -> dataset path of per-pixel label masks (Peregrine segmentation results). */
    public Map<String, String> labelMasks() {
        return labelMasks;
    }

    /** The source of another dataset of the same file (e.g. a Peregrine mask), same layout rules. */
    public Hdf5Source sibling(String datasetPath) throws IOException {
        return open(Path.of(info.path()), OpenOptions.NONE.withDataset(datasetPath));
    }

    @Override
    public ArrayInfo info() {
        return info;
    }


    @Override
    public SlabReader open() throws IOException {
        return new Reader();
    }

    /** Reads a flat sample range as runs along the last position axis of the stored dataset. */
    private final class Reader implements SlabReader {
        private final HdfFile file;
        private final Dataset d;

        Reader() throws IOException {
            try {
                file = new HdfFile(Path.of(info.path()));
                d = Hdf5Layout.dataset(file, info.path(), dataset);
            } catch (io.jhdf.exceptions.HdfException e) {
                throw new IOException(info.path() + ": not readable as HDF5: " + e.getMessage(), e);
            }
        }

        @Override
        public void read(long first, int count, float[] out) throws IOException {
            int lead = dims.length - 2;
            int ss = info.sampleSize();
            long s = first;
            int off = 0;
            while (s < first + count) {
                long[] offset = new long[dims.length];
                int[] shape = new int[dims.length];
                long r = s;
                for (int i = lead - 1; i >= 0; i--) {
                    offset[i] = r % dims[i];
                    r /= dims[i];
                    shape[i] = 1;
                }
                int run = lead == 0 ? 1 : (int) Math.min(first + count - s, dims[lead - 1] - offset[lead - 1]);
                if (lead > 0) shape[lead - 1] = run;
                shape[lead] = dims[lead];
                shape[lead + 1] = dims[lead + 1];
                Object block;
                try {
                    block = d.getData(offset, shape);
                } catch (RuntimeException e) {
                    throw new IOException(info.path() + ": reading HDF5 dataset '" + dataset + "' at offset " + Arrays.toString(offset)
                            + " shape " + Arrays.toString(shape) + " failed: " + e.getMessage(), e);
                }
                int end = JavaArrays.flatten(block, out, off);
                if (end - off != run * ss) throw new IOException(info.path() + ": HDF5 block at " + Arrays.toString(offset) + " gave " + (end - off) + " values, expected " + run * ss);
                off = end;
                s += run;
            }
        }

        @Override
        public void close() {
            file.close();
        }
    }
}
