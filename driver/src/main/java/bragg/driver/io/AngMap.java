package bragg.driver.io;

import java.io.BufferedReader;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;

/**
 * An EDAX/TSL .ang crystal map (also written by EMsoft and orix): '#' header lines, then one
 * whitespace-separated line per scan point, x fastest, rows of y. Column meaning as orix reads
 * it: phi1 PHI phi2 (radians) x y IQ CI phase_id [detector_signal fit ...]; EMsoft writes a dot
 * product where TSL writes CI. Header keys used:
 * <pre>
 * # Phase N / # MaterialName / # Formula / # Symmetry / # LatticeConstants a b c alpha beta gamma
 * # GRID: SqrGrid | HexGrid    # XSTEP: / # YSTEP: (um)    # NCOLS_ODD: / # NCOLS_EVEN: / # NROWS:
 * </pre>
 *
 * @param phases  the header's phases in file order
 * @param columns names of the data columns, one per value in each point
 * @param values  point-major, values[point * columns.size() + column]
 */
public record AngMap(String path, List<Phase> phases, String grid, double xStep, double yStep, int rows, int cols,
                     List<String> columns, float[] values) {

    /** A phase of the header: its id as the data's phase column gives it. */
    public record Phase(int id, String name, String symmetry, double[] lattice) {
    }

    static final List<String> COLUMNS = List.of("phi1", "Phi", "phi2", "x", "y", "iq", "ci", "phase_id", "detector_signal", "fit");

    public static AngMap read(Path file) throws IOException {
        String f = file.toString();
        List<Phase> phases = new ArrayList<>();
        String grid = null;
        double xs = Double.NaN;
        double ys = Double.NaN;
        int odd = -1;
        int even = -1;
        int nrows = -1;
        boolean emsoft = false;
        int pid = -1;
        String pname = null;
        String psym = null;
        double[] plat = null;
        List<float[]> points = new ArrayList<>();
        int width = -1;
        long offset = 0;
        int lineNo = 0;
        try (BufferedReader r = Files.newBufferedReader(file, StandardCharsets.ISO_8859_1)) {
            for (String line; (line = r.readLine()) != null; ) {
                lineNo++;
                long at = offset;
                offset += line.length() + 1;
                String t = line.trim();
                if (t.isEmpty()) continue;
                if (t.startsWith("#")) {
                    if (!points.isEmpty()) throw new IOException(f + ": line " + lineNo + " (byte offset " + at + ") is a header line after the data began");
                    String body = t.substring(1).trim();
                    String key = body.split("[\\s:]+", 2)[0];
                    String val = body.length() > key.length() ? body.substring(key.length()).replaceFirst("^[\\s:]+", "").trim() : "";
                    if (body.contains("EMsoft")) emsoft = true;
                    switch (key) {
                        case "Phase" -> {
                            if (pid >= 0) phases.add(new Phase(pid, pname, psym, plat));
                            pid = parseInt(f, lineNo, at, "Phase", val);
                            pname = null;
                            psym = null;
                            plat = null;
                        }
                        case "MaterialName" -> pname = val;
                        case "Formula" -> { if (pname == null || pname.isEmpty()) pname = val; }
                        case "Symmetry" -> psym = val;
                        case "LatticeConstants" -> {
                            String where = "line " + lineNo;
                            plat = Arrays.stream(val.split("\\s+")).filter(s -> !s.isEmpty()).mapToDouble(s -> parseDouble(f, where, at, s)).toArray();
                        }
                        case "GRID" -> grid = val;
                        case "XSTEP" -> xs = parseDouble(f, "line " + lineNo, at, val);
                        case "YSTEP" -> ys = parseDouble(f, "line " + lineNo, at, val);
                        case "NCOLS_ODD" -> odd = parseInt(f, lineNo, at, "NCOLS_ODD", val);
                        case "NCOLS_EVEN" -> even = parseInt(f, lineNo, at, "NCOLS_EVEN", val);
                        case "NROWS" -> nrows = parseInt(f, lineNo, at, "NROWS", val);
                        default -> { }
                    }
                    continue;
                }
                String[] parts = t.split("\\s+");
                if (width < 0) {
                    width = parts.length;
                    if (width < 8) throw new IOException(f + ": line " + lineNo + " (byte offset " + at + ") has " + width
                            + " values; an .ang point needs at least 8 (phi1 PHI phi2 x y IQ CI phase)");
                }
                if (parts.length != width) {
                    throw new IOException(f + ": line " + lineNo + " (byte offset " + at + ") has " + parts.length + " values but the first data line has " + width);
                }
                float[] p = new float[width];
                for (int i = 0; i < width; i++) p[i] = (float) parseDouble(f, "line " + lineNo + " column " + (i + 1), at, parts[i]);
                points.add(p);
            }
        }
        if (pid >= 0) phases.add(new Phase(pid, pname, psym, plat));
        if (grid == null || nrows < 0 || odd < 0) {
            throw new IOException(f + ": .ang header lacks " + (grid == null ? "# GRID:" : nrows < 0 ? "# NROWS:" : "# NCOLS_ODD:") + " (header ends before byte offset "
                    + offset + ")");
        }
        if (grid.equalsIgnoreCase("HexGrid")) {
            throw new IllegalArgumentException(f + ": .ang grid is HexGrid (NCOLS_ODD " + odd + ", NCOLS_EVEN " + even
                    + "); hexagonal grids are not supported yet: resample it to a square grid (e.g. OIM Analysis or orix) first");
        }
        if (!grid.equalsIgnoreCase("SqrGrid")) throw new IOException(f + ": .ang # GRID: is '" + grid + "', expected SqrGrid or HexGrid");
        if (points.size() != (long) nrows * odd) {
            throw new IOException(f + ": .ang header declares NROWS " + nrows + " x NCOLS_ODD " + odd + " = " + (long) nrows * odd
                    + " points but the file holds " + points.size() + " (data end at byte offset " + offset + "; truncated file?)");
        }
        List<String> cols = new ArrayList<>();
        for (int i = 0; i < width; i++) cols.add(i < COLUMNS.size() ? COLUMNS.get(i) : "column" + (i + 1));
        if (emsoft && width > 6) cols.set(6, "dp");
        float[] v = new float[points.size() * width];
        for (int i = 0; i < points.size(); i++) System.arraycopy(points.get(i), 0, v, i * width, width);
        return new AngMap(f, List.copyOf(phases), grid, xs, ys, nrows, odd, List.copyOf(cols), v);
    }

    private static int parseInt(String f, int line, long at, String key, String s) throws IOException {
        try {
            return Integer.parseInt(s.trim().split("\\s+")[0]);
        } catch (NumberFormatException e) {
            throw new IOException(f + ": line " + line + " (byte offset " + at + "): " + key + " should be an integer, found '" + s + "'");
        }
    }

    private static double parseDouble(String f, String where, long at, String s) {
        try {
            return Double.parseDouble(s.trim());
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException(f + ": " + where + " (byte offset " + at + "): expected a number, found '" + s + "'");
        }
    }

    public int points() {
        return rows * cols;
    }

    public float value(int point, int column) {
        return values[point * columns.size() + column];
    }

    /** Phase names, in header order: the class names phase labels index. */
    public List<String> phaseNames() {
        List<String> out = new ArrayList<>();
        for (Phase p : phases) out.add(p.name() == null || p.name().isEmpty() ? "phase" + p.id() : p.name());
        return out;
    }

    /**
     * Per point, the index into {@link #phases} of its phase, or -1 where it is not indexed (CI
     * -1, as orix marks TSL points). A single-phase file may give phase id 0 for its one phase.
     */
    public int[] phaseLabels() throws IOException {
        int[] out = new int[points()];
        int ci = columns.indexOf("ci");
        for (int i = 0; i < out.length; i++) {
            int id = Math.round(value(i, 7));
            if (ci >= 0 && value(i, ci) == -1f) {
                out[i] = -1;
                continue;
            }
            int k = -1;
            for (int j = 0; j < phases.size(); j++) if (phases.get(j).id() == id) k = j;
            if (k < 0 && id == 0 && phases.size() == 1) k = 0;
            if (k < 0) {
                throw new IOException(path + ": .ang point " + i + " (row " + i / cols + ", column " + i % cols + ") has phase id " + id
                        + " but the header's phases are " + phases.stream().map(Phase::id).toList());
            }
            out[i] = k;
        }
        return out;
    }

    /** Per point its three Euler angles (phi1, PHI, phi2, radians), point-major. */
    public float[] eulers() {
        float[] out = new float[points() * 3];
        for (int i = 0; i < points(); i++) for (int c = 0; c < 3; c++) out[i * 3 + c] = value(i, c);
        return out;
    }

    /** Header summary for inspect. */
    String describePhases() {
        List<String> out = new ArrayList<>();
        for (Phase p : phases) {
            out.add(p.id() + ":" + (p.name() == null ? "" : p.name()) + " symmetry " + p.symmetry() + " lattice "
                    + (p.lattice() == null ? "?" : Arrays.toString(p.lattice())));
        }
        return String.join("; ", out);
    }

    static String step(double v) {
        return String.format(Locale.ROOT, "%.6g", v);
    }
}
