package bragg.driver.preprocess;

import bragg.driver.io.AngMap;
import bragg.driver.io.ArrayInfo;
import bragg.driver.io.FileKind;
import bragg.driver.io.NpySource;
import bragg.driver.io.OpenOptions;
import bragg.driver.io.SlabReader;
import java.io.IOException;
import java.io.Serializable;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * Labels or targets loaded on the driver from a small .npy file (one entry per position, or
 * per tile) or an EDAX .ang crystal map (phases as labels, Euler angles as targets), checked
 * against the input's shape. Small enough to ship to every task.
 */
public record LabelTable(int[] labels, List<String> names) implements Serializable {
    /**
     * The most classes a labels file may imply without label names (ids 0 .. this - 1): a class
     * id is a softmax output, so a larger one is almost surely a wrong file, not a model to build.
     */
    public static final int MAX_UNNAMED_CLASSES = 65_536;

    /** Reads every value of a .npy file as floats, with its full shape. */
    static float[] readAll(Path file, long[][] shapeOut) throws IOException {
        NpySource s = NpySource.open(file, OpenOptions.NONE);
        ArrayInfo i = s.info();
        shapeOut[0] = i.shape();
        float[] v = new float[Math.toIntExact(i.sampleCount() * i.sampleSize())];
        try (SlabReader r = s.open()) {
            r.read(0, Math.toIntExact(i.sampleCount()), v);
        }
        return v;
    }

    /**
     * @param expected shape the labels must have (positions, or [layers, tiles_y, tiles_x]); a
     *                 flat [n] file with the same count is accepted too
     */
    public static LabelTable load(String file, long[] expected, String inputPath, List<String> names) throws IOException {
        if (FileKind.of(Path.of(file)) == FileKind.ANG) return fromAng(file, expected, inputPath, names);
        long[][] shape = new long[1][];
        float[] v = readAll(Path.of(file), shape);
        long n = 1;
        for (long d : expected) n *= d;
        if (!Arrays.equals(shape[0], expected) && !(shape[0].length == 1 && shape[0][0] == n)) {
            throw new IllegalArgumentException("labels file " + file + " has shape " + Arrays.toString(shape[0]) + " (" + v.length
                    + " values) but input " + inputPath + " needs " + Arrays.toString(expected) + " (" + n + " values)");
        }
        List<String> nm = names;
        if (nm == null) {
            Path txt = Path.of(file.replaceAll("\\.npy$", "") + ".txt");
            if (Files.isRegularFile(txt)) nm = Files.readAllLines(txt).stream().map(String::trim).filter(s -> !s.isEmpty()).toList();
        }
        // Bounded before anything is sized by a class id.
        long limit = nm != null ? nm.size() : MAX_UNNAMED_CLASSES;
        String bound = nm != null ? nm.size() + " label names are given " + nm
                : "without label names a class id must be below " + MAX_UNNAMED_CLASSES
                        + " (give --label-names or " + file.replaceAll("\\.npy$", "") + ".txt)";
        int[] lab = new int[v.length];
        int max = -1;
        for (int i = 0; i < v.length; i++) {
            float x = v[i];
            if (x != Math.rint(x) || x < -1) {
                throw new IllegalArgumentException("labels file " + file + " row " + i + " holds " + x + ", expected an integer class index >= -1");
            }
            if (x >= limit) {
                throw new IllegalArgumentException("labels file " + file + " row " + i + " holds label " + (long) x + " but " + bound);
            }
            lab[i] = (int) x;
            max = Math.max(max, lab[i]);
        }
        if (nm == null) {
            nm = new ArrayList<>();
            for (int i = 0; i <= max; i++) nm.add(Integer.toString(i));
        }
        return new LabelTable(lab, List.copyOf(nm));
    }

    /**
     * Phase ids of an .ang crystal map as class labels under the header's phase names (-1 where
     * a point is not indexed); its grid [NROWS, NCOLS] must be the scan's.
     */
    static LabelTable fromAng(String file, long[] expected, String inputPath, List<String> names) throws IOException {
        AngMap m = AngMap.read(Path.of(file));
        checkGrid(m, expected, inputPath, "labels");
        List<String> nm = names == null ? m.phaseNames() : names;
        if (nm.size() != m.phases().size()) {
            throw new IllegalArgumentException("labels file " + file + " has " + m.phases().size() + " phases " + m.phaseNames() + " but "
                    + nm.size() + " label names are given " + nm);
        }
        return new LabelTable(m.phaseLabels(), List.copyOf(nm));
    }

    private static void checkGrid(AngMap m, long[] expected, String inputPath, String what) {
        long n = 1;
        for (long d : expected) n *= d;
        boolean grid = expected.length == 2 && expected[0] == m.rows() && expected[1] == m.cols();
        if (!grid && !(expected.length == 1 && n == m.points())) {
            throw new IllegalArgumentException(what + " file " + m.path() + " is a " + m.rows() + " x " + m.cols() + " (rows x columns) .ang map but input "
                    + inputPath + " has positions " + Arrays.toString(expected));
        }
    }

    /** Float targets [positions..., T]; returns T per position, row-major. */
    static float[] loadTargets(String file, long[] positionShape, String inputPath, int[] perPosition) throws IOException {
        long positions = 1;
        for (long d : positionShape) positions *= d;
        if (FileKind.of(Path.of(file)) == FileKind.ANG) {
            // the Euler angles (phi1, PHI, phi2 in radians) of each point as three targets
            AngMap m = AngMap.read(Path.of(file));
            checkGrid(m, positionShape, inputPath, "targets");
            perPosition[0] = 3;
            return m.eulers();
        }
        long[][] shape = new long[1][];
        float[] v = readAll(Path.of(file), shape);
        if (v.length % positions != 0 || v.length == 0) {
            throw new IllegalArgumentException("targets file " + file + " has shape " + Arrays.toString(shape[0]) + " (" + v.length
                    + " values), not a whole number of values for each of the " + positions + " positions of input " + inputPath);
        }
        for (int i = 0; i < v.length; i++) {
            if (!Float.isFinite(v[i])) throw new IllegalArgumentException("targets file " + file + " value " + i + " is " + v[i] + ", expected a finite number");
        }
        perPosition[0] = (int) (v.length / positions);
        return v;
    }
}
