package bragg.driver.io;

import io.jhdf.HdfFile;
import io.jhdf.api.Dataset;
import io.jhdf.api.Group;
import io.jhdf.api.Node;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * The HyperSpy layout ({@code .hspy}, as rosettasciio writes it): root attribute
 * {@code file_format = "HyperSpy"}, one group per signal under {@code Experiments/}, each with
 * its {@code data} and an {@code axis-N} group per array axis N carrying attributes
 * {@code name, units, scale, offset, size, navigate}. HyperSpy puts the navigation axes first
 * in the array, so they become the positions; the two signal axes are the pattern. A signal
 * without navigation axes (one pattern) is one sample.
 */
final class Hdf5HyperSpy {
    private Hdf5HyperSpy() {
    }

    static boolean applies(HdfFile f) {
        return "HyperSpy".equals(Hdf5Layout.attr(f, "file_format"));
    }

    static Hdf5Layout find(HdfFile f, String file) {
        Node ex = f.getChildren().get("Experiments");
        if (!(ex instanceof Group g)) throw new IllegalArgumentException(file + ": HyperSpy file (root attribute file_format) has no Experiments group");
        Dataset best = null;
        List<String> signals = new ArrayList<>();
        for (Node n : g.getChildren().values()) {
            if (n instanceof Group s && s.getChildren().get("data") instanceof Dataset d) {
                signals.add(s.getName() + " " + Arrays.toString(d.getDimensions()));
                if (d.getDimensions().length >= 2 && (best == null || d.getSize() > best.getSize())) best = d;
            }
        }
        if (best == null) {
            throw new IllegalArgumentException(file + ": HyperSpy Experiments holds no signal with 2-D (or larger) data; signals found: " + signals);
        }
        Group s = best.getParent();
        int[] dims = best.getDimensions();
        List<Long> pos = new ArrayList<>();
        List<String> axes = new ArrayList<>();
        Map<String, String> meta = new LinkedHashMap<>();
        meta.put("file_format_version", String.valueOf(Hdf5Layout.attr(f, "file_format_version")));
        meta.put("signal", s.getName());
        if (signals.size() > 1) meta.put("signals", String.join(", ", signals));
        for (int i = 0; i < dims.length; i++) {
            Node a = s.getChildren().get("axis-" + i);
            if (!(a instanceof Group ax)) throw new IllegalArgumentException(file + ": HyperSpy signal " + s.getPath() + " lacks group axis-" + i + " for its data axis " + i);
            boolean nav = truth(Hdf5Layout.attr(ax, "navigate"));
            boolean signal = i >= dims.length - 2;
            if (nav == signal) {
                throw new IllegalArgumentException(file + ": HyperSpy " + ax.getPath() + " has navigate=" + nav + " but bragg reads the last two data axes as the "
                        + "signal (a 2-D pattern) and the ones before as navigation; data shape " + Arrays.toString(dims));
            }
            String size = Hdf5Layout.attr(ax, "size");
            if (size != null && Long.parseLong(size.trim()) != dims[i]) {
                throw new IllegalArgumentException(file + ": HyperSpy " + ax.getPath() + " size " + size + " but data axis " + i + " has " + dims[i]);
            }
            String name = clean(Hdf5Layout.attr(ax, "name"));
            String units = clean(Hdf5Layout.attr(ax, "units"));
            String label = (name == null ? (signal ? (i == dims.length - 2 ? "k_y" : "k_x") : "axis" + i) : name);
            axes.add(units == null ? label : label + " [" + units + "]");
            meta.put("axis" + i, (nav ? "navigation" : "signal") + " scale " + Hdf5Layout.attr(ax, "scale") + " offset " + Hdf5Layout.attr(ax, "offset"));
            if (!signal) pos.add((long) dims[i]);
        }
        if (pos.isEmpty()) {
            pos.add(1L);
            axes.add(0, "pattern");
            meta.put("single_pattern", "true (no navigation axes)");
        }
        return new Hdf5Layout("hdf5/hspy", best.getPath(), pos.stream().mapToLong(Long::longValue).toArray(), axes, meta, Map.of());
    }

    private static boolean truth(String v) {
        if (v == null) return false;
        String t = v.trim().toLowerCase(Locale.ROOT);
        return t.equals("true") || t.equals("1");
    }

    /** HyperSpy writes None as "_None_". */
    private static String clean(String v) {
        return v == null || v.isEmpty() || v.equals("_None_") || v.equals("<undefined>") ? null : v;
    }
}
