package bragg.driver.io;

import io.jhdf.HdfFile;
import io.jhdf.api.Attribute;
import io.jhdf.api.Dataset;
import io.jhdf.api.Group;
import io.jhdf.api.Node;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Where the samples are in an HDF5 file. Recognised layouts, tried in this order:
 * <ul>
 * <li>{@code hdf5/hspy}: HyperSpy files, see {@link Hdf5HyperSpy}</li>
 * <li>{@code hdf5/peregrine}: ORNL Peregrine LPBF stacks, {@code slices/camera_data/visible/0} [layers, H, W],
 *     label masks {@code slices/segmentation_results/<class>} [layers, H, W]</li>
 * <li>{@code hdf5/h5ebsd}: kikuchipy/EDAX h5ebsd, {@code Scan N/EBSD/Data/patterns} [n, H, W] reshaped by
 *     {@code Scan N/EBSD/Header/n_rows, n_columns}</li>
 * <li>{@code hdf5/fpd}: fpd package, {@code fpd_expt/fpd_data/data} [y, x, 1, H, W] (EMD 0.2)</li>
 * <li>{@code hdf5/emd1}: py4DSTEM/emdfile EMD 1.0, the first group with {@code emd_group_type='array'}
 *     (DataCube first) and its {@code data} plus {@code dim*} axes</li>
 * <li>{@code hdf5/emd}: EMD 0.2 groups with {@code emd_group_type=1}: the largest {@code data}</li>
 * </ul>
 * or any dataset by path. Position axes of length 1 are squeezed (fpd's frame axis).
 *
 * @param dataset   path of the sample dataset
 * @param positions logical position shape (after the h5ebsd reshape and squeezing)
 * @param axes      names (with units) of all logical axes
 * @param labelMasks class name -> dataset path of per-pixel masks (Peregrine), else empty
 */
public record Hdf5Layout(String format, String dataset, long[] positions, List<String> axes,
                         Map<String, String> metadata, Map<String, String> labelMasks) {

    static final String PEREGRINE_DATA = "slices/camera_data/visible/0";
    static final String PEREGRINE_LABELS = "slices/segmentation_results";
    static final String FPD_DATA = "fpd_expt/fpd_data/data";

    static Hdf5Layout find(HdfFile f, String file, String datasetPath) {
        if (datasetPath != null) {
            Dataset d = dataset(f, file, datasetPath);
            return generic("hdf5", d, file, new LinkedHashMap<>(), Map.of());
        }
        if (Hdf5HyperSpy.applies(f)) return Hdf5HyperSpy.find(f, file);
        if (exists(f, PEREGRINE_DATA)) {
            // Class order (= label index - 1) is alphabetical, whatever order the file lists them in.
            Map<String, String> masks = new java.util.TreeMap<>();
            if (exists(f, PEREGRINE_LABELS) && f.getByPath(PEREGRINE_LABELS) instanceof Group g) {
                for (String name : g.getChildren().keySet()) masks.put(name, PEREGRINE_LABELS + "/" + name);
            }
            Dataset d = dataset(f, file, PEREGRINE_DATA);
            Hdf5Layout l = generic("hdf5/peregrine", d, file, new LinkedHashMap<>(), masks);
            return new Hdf5Layout(l.format, l.dataset, l.positions, rename(l.axes, "layer", "y", "x"), l.metadata, masks);
        }
        for (Node n : f.getChildren().values()) {
            String p = n.getName() + "/EBSD/Data/patterns";
            if (n.getName().startsWith("Scan ") && exists(f, p)) return h5ebsd(f, file, n.getName(), dataset(f, file, p));
        }
        if (exists(f, FPD_DATA)) {
            Map<String, String> meta = new LinkedHashMap<>();
            Attribute v = f.getAttribute("fpd_version");
            if (v != null) meta.put("fpd_version", JavaArrays.firstString(v.getData()));
            return generic("hdf5/fpd", dataset(f, file, FPD_DATA), file, meta, Map.of());
        }
        String rootType = attr(f, "emd_group_type");
        if ("file".equals(rootType)) {
            Group best = null;
            for (Group g : groups(f)) {
                if ("array".equals(attr(g, "emd_group_type")) && g.getChildren().get("data") instanceof Dataset d && d.getDimensions().length >= 3) {
                    if (best == null || "DataCube".equals(attr(g, "python_class")) && !"DataCube".equals(attr(best, "python_class"))) best = g;
                }
            }
            if (best != null) {
                Map<String, String> meta = new LinkedHashMap<>();
                meta.put("emd_version", attr(f, "version_major") + "." + attr(f, "version_minor"));
                if (attr(best, "python_class") != null) meta.put("python_class", attr(best, "python_class"));
                return generic("hdf5/emd1", (Dataset) best.getChild("data"), file, meta, Map.of());
            }
        }
        Dataset largest = null;
        for (Group g : groups(f)) {
            if ("1".equals(attr(g, "emd_group_type")) && g.getChildren().get("data") instanceof Dataset d && d.getDimensions().length >= 3) {
                if (largest == null || d.getSize() > largest.getSize()) largest = d;
            }
        }
        if (largest != null) return generic("hdf5/emd", largest, file, new LinkedHashMap<>(), Map.of());
        throw new IllegalArgumentException(file + ": no known layout (EMD 1.0, EMD 0.2/fpd, h5ebsd, Peregrine) found; give the dataset path. "
                + "Datasets in the file: " + listDatasets(f));
    }

    private static Hdf5Layout h5ebsd(HdfFile f, String file, String scan, Dataset d) {
        String hdr = scan + "/EBSD/Header/";
        int[] dims = d.getDimensions();
        if (dims.length != 3) throw new IllegalArgumentException(file + ": h5ebsd " + d.getPath() + " has shape " + java.util.Arrays.toString(dims) + ", expected [n, H, W]");
        long rows = JavaArrays.firstLong(dataset(f, file, hdr + "n_rows").getData());
        long cols = JavaArrays.firstLong(dataset(f, file, hdr + "n_columns").getData());
        if (rows * cols != dims[0]) {
            throw new IllegalArgumentException(file + ": h5ebsd header " + hdr + "n_rows x n_columns = " + rows + " x " + cols + " = " + rows * cols
                    + " but " + d.getPath() + " holds " + dims[0] + " patterns");
        }
        Map<String, String> meta = new LinkedHashMap<>();
        meta.put("scan_group", scan);
        for (String k : new String[]{"step_x", "step_y", "sample_tilt", "binning"}) {
            if (exists(f, hdr + k)) meta.put(k, JavaArrays.firstString(f.getDatasetByPath(hdr + k).getData()));
        }
        return new Hdf5Layout("hdf5/h5ebsd", d.getPath(), new long[]{rows, cols}, List.of("row", "column", "k_y", "k_x"), meta, Map.of());
    }

    /** Positions = all but the last two axes, singletons squeezed; axis names from EMD dim* vectors. */
    private static Hdf5Layout generic(String format, Dataset d, String file, Map<String, String> meta, Map<String, String> masks) {
        int[] dims = d.getDimensions();
        if (dims.length < 2) throw new IllegalArgumentException(file + ": dataset " + d.getPath() + " has shape " + java.util.Arrays.toString(dims) + ", need at least [H, W]");
        List<Long> pos = new ArrayList<>();
        List<String> axes = new ArrayList<>();
        Group parent = d.getParent();
        for (int i = 0; i < dims.length; i++) {
            if (i < dims.length - 2 && dims[i] == 1) continue;
            if (i < dims.length - 2) pos.add((long) dims[i]);
            axes.add(axisName(parent, i, dims.length));
        }
        if (pos.isEmpty()) {
            pos.add(1L);
            axes.add(0, "position");
        }
        return new Hdf5Layout(format, d.getPath(), pos.stream().mapToLong(Long::longValue).toArray(), axes, meta, masks);
    }

    private static String axisName(Group parent, int i, int rank) {
        // EMD 1.0 numbers the dim vectors from 0, EMD 0.2 from 1.
        int base = parent.getChildren().containsKey("dim0") ? 0 : 1;
        Node dim = parent.getChildren().get("dim" + (i + base));
        String name = dim == null ? null : attr(dim, "name");
        String units = dim == null ? null : attr(dim, "units");
        if (name == null) name = i == rank - 2 ? "k_y" : i == rank - 1 ? "k_x" : "axis" + i;
        return units == null || units.isEmpty() || "[n_m]".equals(units) ? name : name + " [" + units + "]";
    }

    private static List<String> rename(List<String> axes, String... names) {
        return axes.size() == names.length ? List.of(names) : axes;
    }

    static Dataset dataset(HdfFile f, String file, String path) {
        Node n;
        try {
            n = f.getByPath(path);
        } catch (RuntimeException e) {
            throw new IllegalArgumentException(file + ": HDF5 dataset '" + path + "' not found (" + e.getMessage() + "). Datasets in the file: " + listDatasets(f));
        }
        if (!(n instanceof Dataset d)) throw new IllegalArgumentException(file + ": HDF5 path '" + path + "' is a group, not a dataset. Datasets in the file: " + listDatasets(f));
        return d;
    }

    static boolean exists(HdfFile f, String path) {
        try {
            f.getByPath(path);
            return true;
        } catch (RuntimeException e) {
            return false;
        }
    }

    static String attr(Node n, String name) {
        Attribute a = n.getAttribute(name);
        return a == null ? null : JavaArrays.firstString(a.getData());
    }

    private static List<Group> groups(Group g) {
        List<Group> out = new ArrayList<>();
        for (Node n : g.getChildren().values()) {
            if (n instanceof Group c && !n.isLink()) {
                out.add(c);
                out.addAll(groups(c));
            }
        }
        return out;
    }

    /** "path [dims]" of every dataset, for error messages (first 30). */
    static String listDatasets(HdfFile f) {
        List<String> out = new ArrayList<>();
        collect(f, out);
        return out.size() > 30 ? String.join(", ", out.subList(0, 30)) + ", ..." : String.join(", ", out);
    }

    private static void collect(Group g, List<String> out) {
        for (Node n : g.getChildren().values()) {
            if (n.isLink()) continue;
            if (n instanceof Dataset d) out.add(d.getPath() + " " + java.util.Arrays.toString(d.getDimensions()));
            else if (n instanceof Group c) collect(c, out);
        }
    }
}
