package bragg.driver.io;

import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * An .ang crystal map as data: one sample, [fields, rows, cols], a map image per column
 * (Euler angles, IQ, CI, phase id, ...; the x and y columns are the grid itself and left out).
 * As labels or targets for a diffraction scan it is read through {@link AngMap} instead.
 */
public final class AngSource implements SampleSource {
    private final ArrayInfo info;
    private final int[] fields;     // .ang columns kept, in order

    private AngSource(ArrayInfo info, int[] fields) {
        this.info = info;
        this.fields = fields;
    }

    public static AngSource open(Path file, OpenOptions opt) throws IOException {
        AngMap m = AngMap.read(file);
        List<Integer> keep = new ArrayList<>();
        List<String> names = new ArrayList<>();
        for (int c = 0; c < m.columns().size(); c++) {
            String n = m.columns().get(c);
            if (n.equals("x") || n.equals("y")) continue;
            keep.add(c);
            names.add(n);
        }
        long[] shape = {1, keep.size(), m.rows(), m.cols()};
        Shapes.checkDeclared(file.toString(), opt.shape(), shape);
        Map<String, String> meta = new LinkedHashMap<>();
        meta.put("grid", m.grid());
        meta.put("x_step_um", AngMap.step(m.xStep()));
        meta.put("y_step_um", AngMap.step(m.yStep()));
        meta.put("rows", Integer.toString(m.rows()));
        meta.put("cols", Integer.toString(m.cols()));
        meta.put("fields", String.join(",", names));
        meta.put("phases", m.describePhases());
        meta.put("euler_units", "rad");
        ArrayInfo info = new ArrayInfo("ang", file.toString(), shape, 3, DType.F32, "none",
                List.of("map", "field", "y [um]", "x [um]"), meta);
        return new AngSource(info, keep.stream().mapToInt(Integer::intValue).toArray());
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
    public SlabReader open() {
        return (first, count, out) -> {
            if (first != 0 || count != 1) throw new IOException(info.path() + ": an .ang map is one sample; samples [" + first + ", " + (first + count) + ") asked");
            AngMap m = AngMap.read(Path.of(info.path()));
            int n = m.points();
            if (n != info.shape()[2] * info.shape()[3]) throw new IOException(info.path() + ": .ang map changed since it was opened (" + n + " points)");
            for (int f = 0; f < fields.length; f++) for (int p = 0; p < n; p++) out[f * n + p] = m.value(p, fields[f]);
        };
    }
}
