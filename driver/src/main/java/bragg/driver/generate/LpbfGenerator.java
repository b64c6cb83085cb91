package bragg.driver.generate;

import bragg.driver.io.DType;
import bragg.driver.io.NpyWriter;
import java.awt.image.BufferedImage;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import java.util.SplittableRandom;
import javax.imageio.ImageIO;

/**
 * A synthetic LPBF build: one greyscale image per layer, written as it is generated.
 * <pre>
 * layer k, image [S, S], values 0..255:
 *   powder  = 0.42 + grain noise, outside the part
 *   part    = a rectangle scanned in stripes of width S/6 at angle 67 deg * k (+ seed offset):
 *             hatch ripples along the stripe, darker seams between stripes, melt-track noise, spatter
 *   defects = pores (dark disk, bright rim) and lack-of-fusion regions (unfused powder in a band
 *             along the stripe direction of their first layer); each starts at a random layer,
 *             persists for several layers and grows, so layers below carry evidence of layer k
 * labels.npy [layers, S/tile, S/tile] uint8: 0 none, 1 pore, 2 lack_of_fusion (the class with the
 *   most pixels in the patch, when at least 2 % of the patch), labels.txt names them.
 * layers/layer_NNNNN.png, generate.json.
 * </pre>
 */
public final class LpbfGenerator {
    public static final List<String> CLASSES = List.of("none", "pore", "lack_of_fusion");

    private final LpbfSpec spec;
    private final double[][] defects;   // {type 1|2, cy, cx, r0, growth, start, end, angle}
    private final double theta0;

    public LpbfGenerator(LpbfSpec spec) {
        this.spec = spec;
        SplittableRandom r = new SplittableRandom(spec.seed());
        int s = spec.size();
        theta0 = r.nextDouble() * Math.PI;
        defects = new double[spec.defects()][];
        for (int i = 0; i < defects.length; i++) {
            double type = i % 2 == 0 ? 1 : 2;
            double start = r.nextInt(Math.max(1, spec.layers()));
            double len = 2 + r.nextInt(Math.max(2, spec.layers() / 2));
            double angle = theta0 + Math.toRadians(spec.rotation()) * start;
            defects[i] = new double[]{type, s * (0.2 + 0.6 * r.nextDouble()), s * (0.2 + 0.6 * r.nextDouble()),
                    s * (type == 1 ? 0.015 + 0.02 * r.nextDouble() : 0.03 + 0.03 * r.nextDouble()), s * 0.004 * r.nextDouble(),
                    start, start + len, angle};
        }
    }

    /** Defect class at pixel (y, x) of layer k: 0 none, 1 pore, 2 lack of fusion. */
    public int defectAt(int k, double y, double x) {
        int cls = 0;
        for (double[] d : defects) {
            if (k < d[5] || k >= d[6]) continue;
            double r = d[3] + d[4] * (k - d[5]);
            double dy = y - d[1];
            double dx = x - d[2];
            boolean in;
            if (d[0] == 1) {
                in = dy * dy + dx * dx <= r * r;
            } else {
                double u = dx * Math.cos(d[7]) + dy * Math.sin(d[7]);       // along the stripe: long
                double v = -dx * Math.sin(d[7]) + dy * Math.cos(d[7]);
                in = (u * u) / (9 * r * r) + (v * v) / (r * r) <= 1;
            }
            if (in) cls = Math.max(cls, (int) d[0]);
        }
        return cls;
    }

    /** Layer k as grey values 0..255 [S, S] (row-major). */
    public int[] layer(int k) {
        int s = spec.size();
        SplittableRandom rnd = new SplittableRandom(spec.seed() * 0x9E3779B97F4A7C15L + k + 1);
        double th = theta0 + Math.toRadians(spec.rotation()) * k;
        double c = Math.cos(th);
        double sn = Math.sin(th);
        double stripe = s / 6.0;
        double hatch = Math.max(3, s / 64.0);
        int[] out = new int[s * s];
        for (int y = 0; y < s; y++) {
            for (int x = 0; x < s; x++) {
                boolean part = y > s * 0.1 && y < s * 0.9 && x > s * 0.1 && x < s * 0.9;
                double powder = 0.42 + 0.10 * (rnd.nextDouble() - 0.5) + 0.05 * Math.sin(0.9 * x + 1.7 * y);
                double v;
                int def = part ? defectAt(k, y, x) : 0;
                if (!part || def == 2) {
                    v = powder - (def == 2 ? 0.08 : 0);
                } else {
                    double u = x * c + y * sn;
                    double w = -x * sn + y * c;
                    double inStripe = ((u % stripe) + stripe) % stripe;
                    double seam = Math.exp(-Math.pow(Math.min(inStripe, stripe - inStripe) / 1.5, 2));
                    v = 0.62 + 0.06 * Math.sin(2 * Math.PI * w / hatch) - 0.12 * seam + 0.05 * (rnd.nextDouble() - 0.5);
                    if (rnd.nextDouble() < 0.002) v += 0.3;                  // spatter
                    if (def == 1) {
                        double[] p = nearestPore(k, y, x);
                        double edge = p[1] - p[0];                            // distance inside the rim
                        v = edge < 1.5 ? 0.85 : 0.15 + 0.05 * rnd.nextDouble();
                    }
                }
                out[y * s + x] = (int) Math.max(0, Math.min(255, Math.round(v * 255)));
            }
        }
        return out;
    }

    private double[] nearestPore(int k, double y, double x) {
        double best = Double.MAX_VALUE;
        double rad = 0;
        for (double[] d : defects) {
            if (d[0] != 1 || k < d[5] || k >= d[6]) continue;
            double dist = Math.hypot(y - d[1], x - d[2]);
            double r = d[3] + d[4] * (k - d[5]);
            if (dist <= r && dist < best) {
                best = dist;
                rad = r;
            }
        }
        return new double[]{best, rad};
    }

    /** Per-patch labels of layer k [S/tile, S/tile]. */
    public int[] patchLabels(int k) {
        int s = spec.size();
        int t = spec.tile();
        int n = s / t;
        int[] out = new int[n * n];
        for (int ty = 0; ty < n; ty++) {
            for (int tx = 0; tx < n; tx++) {
                int[] cnt = new int[3];
                for (int y = 0; y < t; y++) for (int x = 0; x < t; x++) {
                    int yy = ty * t + y;
                    int xx = tx * t + x;
                    boolean part = yy > s * 0.1 && yy < s * 0.9 && xx > s * 0.1 && xx < s * 0.9;
                    if (part) cnt[defectAt(k, yy, xx)]++;
                }
                int cls = cnt[1] >= cnt[2] ? 1 : 2;
                out[ty * n + tx] = cnt[cls] >= 0.02 * t * t ? cls : 0;
            }
        }
        return out;
    }

    /** Writes layers/layer_NNNNN.png, labels.npy, labels.txt and generate.json into dir. */
    public void write(Path dir) throws IOException {
        Path layers = dir.resolve("layers");
        Files.createDirectories(layers);
        int s = spec.size();
        int n = s / spec.tile();
        float[] labels = new float[spec.layers() * n * n];
        for (int k = 0; k < spec.layers(); k++) {
            int[] px = layer(k);
            BufferedImage img = new BufferedImage(s, s, BufferedImage.TYPE_BYTE_GRAY);
            img.getRaster().setPixels(0, 0, s, s, px);
            ImageIO.write(img, "png", layers.resolve(String.format(Locale.ROOT, "layer_%05d.png", k)).toFile());
            int[] lab = patchLabels(k);
            for (int i = 0; i < lab.length; i++) labels[k * n * n + i] = lab[i];
        }
        NpyWriter.write(dir.resolve("labels.npy"), DType.U8, new long[]{spec.layers(), n, n}, labels);
        Files.write(dir.resolve("labels.txt"), CLASSES);
        Files.writeString(dir.resolve("generate.json"), String.format(Locale.ROOT,
                "{\"kind\":\"lpbf\",\"layers\":%d,\"size\":%d,\"tile\":%d,\"defects\":%d,\"rotation_deg\":%s,\"seed\":%d,"
                        + "\"classes\":[\"none\",\"pore\",\"lack_of_fusion\"]}%n",
                spec.layers(), s, spec.tile(), spec.defects(), spec.rotation(), spec.seed()), StandardCharsets.UTF_8);
    }

    /** Largest stack written as HDF5: jhdf writes a dataset only from one in-memory array. */
    public static final long HDF5_LIMIT_BYTES = 256L << 20;

    /**
     * Writes the stack in the ORNL Peregrine layout: {@code slices/camera_data/visible/0}
     * float32 [layers, S, S] and {@code slices/segmentation_results/<class>} uint8 pixel masks.
     */
    public void writePeregrine(Path file) throws IOException {
        int s = spec.size();
        int l = spec.layers();
        long bytes = (long) l * s * s * (4 + 2);
        if (bytes > HDF5_LIMIT_BYTES) {
            throw new IllegalArgumentException("generate: Peregrine HDF5 output of " + l + " layers of " + s + "x" + s + " needs " + (bytes >> 20)
                    + " MB in memory (jhdf writes whole datasets only); the limit is " + (HDF5_LIMIT_BYTES >> 20) + " MB: write PNG layers instead");
        }
        float[][][] cam = new float[l][s][s];
        byte[][][] pore = new byte[l][s][s];
        byte[][][] lof = new byte[l][s][s];
        for (int k = 0; k < l; k++) {
            int[] px = layer(k);
            for (int y = 0; y < s; y++) {
                for (int x = 0; x < s; x++) {
                    cam[k][y][x] = px[y * s + x];
                    boolean part = y > s * 0.1 && y < s * 0.9 && x > s * 0.1 && x < s * 0.9;
                    int d = part ? defectAt(k, y, x) : 0;
                    pore[k][y][x] = (byte) (d == 1 ? 1 : 0);
                    lof[k][y][x] = (byte) (d == 2 ? 1 : 0);
                }
            }
        }
        try (io.jhdf.WritableHdfFile f = io.jhdf.HdfFile.write(file)) {
            io.jhdf.api.WritableGroup slices = f.putGroup("slices");
            slices.putGroup("camera_data").putGroup("visible").putDataset("0", cam);
            io.jhdf.api.WritableGroup seg = slices.putGroup("segmentation_results");
            seg.putDataset("pore", pore);
            seg.putDataset("lack_of_fusion", lof);
        }
    }
}
