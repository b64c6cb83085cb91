package bragg.jobs.infer;

import bragg.driver.score.Predictions;
import bragg.driver.io.DType;
import bragg.driver.io.NpyWriter;
import bragg.driver.shards.Manifest;
import bragg.jobs.report.AtomicFile;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * Turns per-position predictions into the maps of {@code infer}: a PNG with a legend for people
 * and the numbers as .npy for numpy. Positions without a shard row (dropped frames) are -1 / NaN.
 * <pre>
 *   4dstem, classification: phase_map.png, phase_map.npy [y, x] int32, phase_probability.npy [y, x, classes]
 *   4dstem, regression:     value_map.png (orientation_map.png when the values are angles), value_map.npy [y, x, targets]
 *   lpbf:                   defect_map.png (probability of any defect, one panel per layer),
 *                           defect_map.npy [layers, tiles_y, tiles_x] int32 class, defect_probability.npy [.., classes]
 * </pre>
 */
public final class MapWriter {
    private MapWriter() {
    }

    /** A written map: the PNG and the caption shown in the report. */
    public record Written(String caption, Path png, List<Path> arrays) {
    }

    /**
     * @param orientationPeriod degrees after which regression values wrap (e.g. 60 hexagonal); 0 = not angles
     */
    public static List<Written> write(Path dir, Manifest m, List<Predictions.Prediction> preds, boolean classification,
                                      double orientationPeriod) throws IOException {
        long[] shape = Positions.shape(m);
        Files.createDirectories(dir);
        if (preds.isEmpty()) {
            throw new IllegalArgumentException("no predictions to map (the shards hold no rows?)");
        }
        int outputs = preds.get(0).output().length;
        List<Written> out = new ArrayList<>();
        if (m.kind().equals("lpbf")) {
            int layers = (int) shape[0];
            int ty = (int) shape[1];
            int tx = (int) shape[2];
            int[] cls = new int[layers * ty * tx];
            float[] prob = new float[layers * ty * tx * outputs];
            float[] anyDefect = new float[layers * ty * tx];
            Arrays.fill(cls, -1);
            Arrays.fill(prob, Float.NaN);
            Arrays.fill(anyDefect, Float.NaN);
            for (Predictions.Prediction p : preds) {
                int i = index(p.pos(), shape);
                cls[i] = p.predictedClass();
                System.arraycopy(p.output(), 0, prob, i * outputs, outputs);
                anyDefect[i] = 1f - p.output()[0];   // class 0 is "no defect"
            }
            // Show the layers that have rows (the first K layers have no K layers below them).
            int first = 0;
            while (first < layers && allNaN(anyDefect, first * ty * tx, ty * tx)) {
                first++;
            }
            int shown = Math.min(layers - first, 16);
            int from = Math.max(first, layers - shown);
            int[] ids = new int[layers - from];
            for (int l = 0; l < ids.length; l++) {
                ids[l] = from + l;
            }
            float[] panel = Arrays.copyOfRange(anyDefect, from * ty * tx, layers * ty * tx);
            Path png = dir.resolve("defect_map.png");
            MapImages.writePng(MapImages.layerMaps("defect probability per tile (" + String.join(", ",
                    m.labelNames().subList(1, m.labelNames().size())) + "), top layers", panel, ids.length, ty, tx, ids), png);
            Path npy = npyInt(dir.resolve("defect_map.npy"), cls, new long[] {layers, ty, tx});
            Path npyP = npyFloat(dir.resolve("defect_probability.npy"), prob, new long[] {layers, ty, tx, outputs});
            out.add(new Written("defect map: probability of a defect in each tile, top " + ids.length + " layers", png,
                    List.of(npy, npyP)));
            return out;
        }
        int h = (int) shape[0];
        int w = (int) shape[1];
        if (classification) {
            int[] cls = new int[h * w];
            float[] prob = new float[h * w * outputs];
            Arrays.fill(cls, -1);
            Arrays.fill(prob, Float.NaN);
            for (Predictions.Prediction p : preds) {
                int i = index(p.pos(), shape);
                cls[i] = p.predictedClass();
                System.arraycopy(p.output(), 0, prob, i * outputs, outputs);
            }
            List<String> names = m.labelNames().size() == outputs ? m.labelNames() : numbered(outputs);
            Path png = dir.resolve("phase_map.png");
            MapImages.writePng(MapImages.phaseMap("phase map (" + h + " x " + w + " scan)", cls, h, w, names), png);
            out.add(new Written("phase map: predicted phase at each scan position", png, List.of(
                    npyInt(dir.resolve("phase_map.npy"), cls, new long[] {h, w}),
                    npyFloat(dir.resolve("phase_probability.npy"), prob, new long[] {h, w, outputs}))));
            return out;
        }
        float[] values = new float[h * w * outputs];
        Arrays.fill(values, Float.NaN);
        for (Predictions.Prediction p : preds) {
            System.arraycopy(p.output(), 0, values, index(p.pos(), shape) * outputs, outputs);
        }
        Path npy = npyFloat(dir.resolve("value_map.npy"), values, new long[] {h, w, outputs});
        float[] first = new float[h * w];
        for (int i = 0; i < h * w; i++) {
            first[i] = values[i * outputs];
        }
        Path png;
        String caption;
        if (orientationPeriod > 0) {
            png = dir.resolve("orientation_map.png");
            MapImages.writePng(MapImages.orientationMap("orientation map (" + h + " x " + w + " scan)", first, h, w,
                    orientationPeriod), png);
            caption = "orientation map: predicted in-plane angle, colours repeat every " + orientationPeriod + " degrees";
        } else {
            png = dir.resolve("value_map.png");
            float lo = Float.POSITIVE_INFINITY;
            float hi = Float.NEGATIVE_INFINITY;
            for (float v : first) {
                if (Float.isFinite(v)) {
                    lo = Math.min(lo, v);
                    hi = Math.max(hi, v);
                }
            }
            float[] scaled = new float[first.length];
            for (int i = 0; i < first.length; i++) {
                scaled[i] = hi > lo ? (first[i] - lo) / (hi - lo) : 0.5f;
            }
            MapImages.writePng(MapImages.layerMaps(String.format(java.util.Locale.ROOT,
                    "predicted value (colour 0..1 = %.4g..%.4g)", lo, hi), scaled, 1, h, w, new int[] {0}), png);
            caption = "value map: first regression output at each scan position";
        }
        out.add(new Written(caption, png, List.of(npy)));
        return out;
    }

    private static int index(int[] pos, long[] shape) {
        if (pos.length != shape.length) {
            throw new IllegalArgumentException("position " + Arrays.toString(pos) + " does not fit the positions shape "
                    + Arrays.toString(shape));
        }
        int i = 0;
        for (int d = 0; d < pos.length; d++) {
            if (pos[d] < 0 || pos[d] >= shape[d]) {
                throw new IllegalArgumentException("position " + Arrays.toString(pos) + " is outside the positions shape "
                        + Arrays.toString(shape));
            }
            i = i * (int) shape[d] + pos[d];
        }
        return i;
    }

    private static boolean allNaN(float[] v, int from, int n) {
        for (int i = from; i < from + n; i++) {
            if (!Float.isNaN(v[i])) {
                return false;
            }
        }
        return true;
    }

    private static List<String> numbered(int n) {
        List<String> l = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            l.add("class " + i);
        }
        return l;
    }

    private static Path npyInt(Path file, int[] v, long[] shape) throws IOException {
        float[] f = new float[v.length];
        for (int i = 0; i < v.length; i++) {
            f[i] = v[i];   // class indices are exact in float
        }
        return npy(file, DType.I32, shape, f);
    }

    private static Path npyFloat(Path file, float[] v, long[] shape) throws IOException {
        return npy(file, DType.F32, shape, v);
    }

    /** Through the data area's NpyWriter, to a temporary name first. */
    private static Path npy(Path file, DType t, long[] shape, float[] v) throws IOException {
        return AtomicFile.write(file, tmp -> NpyWriter.write(tmp, t, shape, v));
    }
}
