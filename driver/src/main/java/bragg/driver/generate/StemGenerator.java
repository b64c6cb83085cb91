package bragg.driver.generate;

import bragg.driver.io.DType;
import bragg.driver.io.NpyWriter;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;

/**
 * A synthetic 4D-STEM scan of a polycrystal with two phases, written as it is generated.
 * <pre>
 * sample: Voronoi grains; each grain is phase 0 "cubic" (square reciprocal lattice, [001] zone)
 *         or phase 1 "hexagonal" (hexagonal reciprocal lattice, [0001] zone), with a random
 *         in-plane rotation theta; thickness varies smoothly across the scan.
 * pattern at (y, x), detector [k, k]:
 *   centre  = detector centre + descan shift (linear in the scan position)
 *   disks   = central beam + Bragg disks at centre + R(theta) g for reciprocal lattice vectors g,
 *             intensity ~ exp(-|g|^2 / (2 s^2)) * thickness factor (kinematic-like sin^2 falloff),
 *             central beam keeps the unscattered fraction
 *   + a weak diffuse (thermal) background ~ 1 / (1 + (r / r0)^2)
 *   blur    = Gaussian detector PSF
 *   counts  = Poisson(dose * pattern / sum(pattern))  -> uint16
 * outputs: scan.npy [scan_y, scan_x, k, k] uint16, labels.npy [scan_y, scan_x] int32 (phase),
 *          labels.txt (phase names), targets.npy [scan_y, scan_x, 1] float32 (theta in degrees
 *          modulo the lattice's rotation symmetry: 90 cubic, 60 hexagonal), generate.json.
 * </pre>
 * Each position draws from its own random stream (seed, position), so the file does not
 * depend on the thread count; rows are generated in parallel and written in order, holding
 * only a few scan rows in memory (a 50 GB file needs no more memory than a small one).
 * HDF5 output is not offered: jhdf writes a dataset only from one in-memory array.
 */
public final class StemGenerator {
    public static final List<String> PHASES = List.of("cubic", "hexagonal");

    private final StemSpec spec;
    private final double[][] seeds;      // [grain] = {y, x} in scan coordinates
    private final int[] phase;           // [grain]
    private final double[] theta;        // [grain] radians
    private final double phi1;
    private final double phi2;

    public StemGenerator(StemSpec spec) {
        this.spec = spec;
        SplittableRandom r = new SplittableRandom(spec.seed());
        int g = spec.grains();
        seeds = new double[g][];
        phase = new int[g];
        theta = new double[g];
        for (int i = 0; i < g; i++) {
            seeds[i] = new double[]{r.nextDouble() * spec.scanY(), r.nextDouble() * spec.scanX()};
            phase[i] = i < 2 ? i : r.nextInt(2);       // both phases always present
            theta[i] = r.nextDouble() * 2 * Math.PI;
        }
        phi1 = r.nextDouble() * 2 * Math.PI;
        phi2 = r.nextDouble() * 2 * Math.PI;
    }

    int grainAt(int y, int x) {
        int best = 0;
        double bd = Double.MAX_VALUE;
        for (int i = 0; i < seeds.length; i++) {
            double dy = seeds[i][0] - y;
            double dx = seeds[i][1] - x;
            double d = dy * dy + dx * dx;
            if (d < bd) {
                bd = d;
                best = i;
            }
        }
        return best;
    }

    public int phaseAt(int y, int x) {
        return phase[grainAt(y, x)];
    }

    /** In-plane orientation in degrees, modulo the lattice's rotational symmetry. */
    public float orientationAt(int y, int x) {
        int g = grainAt(y, x);
        double sym = phase[g] == 0 ? 90 : 60;
        double deg = Math.toDegrees(theta[g]) % sym;
        return (float) (deg < 0 ? deg + sym : deg);
    }

    /** Thickness in units of the extinction distance, 0.3 to 1.1. */
    double thicknessAt(int y, int x) {
        double u = Math.sin(2 * Math.PI * 1.3 * x / spec.scanX() + phi1) * Math.cos(2 * Math.PI * 0.9 * y / spec.scanY() + phi2);
        return 0.7 + 0.4 * u;
    }

    /** The noisy uint16 pattern at (y, x) into out[off .. off + k*k) (as ints). */
    public void pattern(int y, int x, int[] out, int off, float[] img, float[] tmp) {
        int k = spec.detector();
        java.util.Arrays.fill(img, 0, k * k, 0f);
        int g = grainAt(y, x);
        double t = thicknessAt(y, x);
        double cy = (k - 1) / 2.0 + spec.descan() * 0.5 * (spec.scanY() > 1 ? (double) y / (spec.scanY() - 1) - 0.5 : 0);
        double cx = (k - 1) / 2.0 + spec.descan() * (spec.scanX() > 1 ? (double) x / (spec.scanX() - 1) - 0.5 : 0);
        double scattered = 0.25 + 0.5 * Math.pow(Math.sin(Math.PI * t / 2), 2);    // fraction out of the central beam
        double g0 = phase[g] == 0 ? k / 10.0 : k / 8.5;                            // |a*| in pixels
        double ang = phase[g] == 0 ? Math.PI / 2 : Math.PI / 3;                      // angle between a* and b*
        double c = Math.cos(theta[g]);
        double s = Math.sin(theta[g]);
        double ax = g0 * c;
        double ay = g0 * s;
        double bx = g0 * Math.cos(theta[g] + ang);
        double by = g0 * Math.sin(theta[g] + ang);
        double sigma = k / 5.0;                                                       // falloff with scattering angle
        int n = (int) Math.ceil(k / g0) + 1;
        double wsum = 0;
        List<double[]> refl = new ArrayList<>();
        for (int h = -n; h <= n; h++) {
            for (int l = -n; l <= n; l++) {
                if (h == 0 && l == 0) continue;
                double gx = h * ax + l * bx;
                double gy = h * ay + l * by;
                double r2 = gx * gx + gy * gy;
                if (Math.sqrt(r2) > k * 0.75) continue;
                double wgt = Math.exp(-r2 / (2 * sigma * sigma)) * (0.6 + 0.4 * Math.pow(Math.sin(Math.PI * t * (1 + Math.sqrt(r2) / (4 * g0))), 2));
                if (phase[g] == 1 && Math.floorMod(h - l, 3) != 0) wgt *= 0.45;      // hexagonal structure-factor alternation
                refl.add(new double[]{cy + gy, cx + gx, wgt});
                wsum += wgt;
            }
        }
        double r = spec.diskRadius();
        disk(img, k, cy, cx, r, 1 - scattered);
        for (double[] d : refl) disk(img, k, d[0], d[1], r, scattered * 0.9 * d[2] / wsum);
        // diffuse background: 10 % of the scattered intensity
        double bsum = 0;
        double r0 = k / 6.0;
        for (int py = 0; py < k; py++) for (int px = 0; px < k; px++) {
            double dy = py - cy;
            double dx = px - cx;
            bsum += 1 / (1 + (dy * dy + dx * dx) / (r0 * r0));
        }
        float bscale = (float) (scattered * 0.1 / bsum);
        for (int py = 0; py < k; py++) for (int px = 0; px < k; px++) {
            double dy = py - cy;
            double dx = px - cx;
            img[py * k + px] += (float) (bscale / (1 + (dy * dy + dx * dx) / (r0 * r0)));
        }
        Blur.gaussian(img, k, k, spec.blur(), tmp);
        SplittableRandom rnd = new SplittableRandom(spec.seed() * 0x9E3779B97F4A7C15L + (long) y * spec.scanX() + x + 1);
        for (int i = 0; i < k * k; i++) out[off + i] = Math.min(65535, Poisson.sample(rnd, spec.dose() * img[i]));
    }

    /** Adds a disk of total weight wgt, edge anti-aliased by pixel coverage. */
    private static void disk(float[] img, int k, double cy, double cx, double r, double wgt) {
        float per = (float) (wgt / (Math.PI * r * r));
        int y0 = (int) Math.floor(cy - r - 1);
        int y1 = (int) Math.ceil(cy + r + 1);
        int x0 = (int) Math.floor(cx - r - 1);
        int x1 = (int) Math.ceil(cx + r + 1);
        for (int y = Math.max(0, y0); y <= Math.min(k - 1, y1); y++) {
            for (int x = Math.max(0, x0); x <= Math.min(k - 1, x1); x++) {
                double d = Math.hypot(y - cy, x - cx);
                double cov = Math.max(0, Math.min(1, r + 0.5 - d));
                if (cov > 0) img[y * k + x] += (float) (per * cov);
            }
        }
    }

    /** Writes scan.npy, labels.npy, labels.txt, targets.npy and generate.json into dir. */
    public void write(Path dir, int threads) throws IOException {
        Files.createDirectories(dir);
        int k = spec.detector();
        int sy = spec.scanY();
        int sx = spec.scanX();
        ExecutorService pool = Executors.newFixedThreadPool(Math.max(1, threads));
        try (NpyWriter w = new NpyWriter(dir.resolve("scan.npy"), DType.U16, ByteOrder.LITTLE_ENDIAN, new long[]{sy, sx, k, k})) {
            int window = Math.max(2, 2 * threads);
            List<Future<ByteBuffer>> pending = new ArrayList<>();
            for (int y = 0; y < sy || !pending.isEmpty(); ) {
                while (y < sy && pending.size() < window) {
                    final int row = y++;
                    pending.add(pool.submit(() -> row(row)));
                }
                ByteBuffer b = pending.remove(0).get();
                w.write(b);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IOException("generation interrupted", e);
        } catch (java.util.concurrent.ExecutionException e) {
            throw new IOException("generating a scan row failed: " + e.getCause(), e.getCause());
        } finally {
            pool.shutdownNow();
        }
        float[] lab = new float[sy * sx];
        float[] tgt = new float[sy * sx];
        for (int y = 0; y < sy; y++) for (int x = 0; x < sx; x++) {
            lab[y * sx + x] = phaseAt(y, x);
            tgt[y * sx + x] = orientationAt(y, x);
        }
        NpyWriter.write(dir.resolve("labels.npy"), DType.I32, new long[]{sy, sx}, lab);
        NpyWriter.write(dir.resolve("targets.npy"), DType.F32, new long[]{sy, sx, 1}, tgt);
        Files.write(dir.resolve("labels.txt"), PHASES);
        Files.writeString(dir.resolve("generate.json"), String.format(java.util.Locale.ROOT,
                "{\"kind\":\"4dstem\",\"scan_y\":%d,\"scan_x\":%d,\"detector\":%d,\"grains\":%d,\"dose\":%s,\"descan\":%s,\"blur\":%s,"
                        + "\"disk_radius\":%s,\"seed\":%d,\"phases\":[\"cubic\",\"hexagonal\"],\"targets\":[\"orientation_deg\"]}%n",
                sy, sx, k, spec.grains(), spec.dose(), spec.descan(), spec.blur(), spec.diskRadius(), spec.seed()), StandardCharsets.UTF_8);
    }

    private ByteBuffer row(int y) {
        int k = spec.detector();
        int sx = spec.scanX();
        int[] counts = new int[k * k];
        float[] img = new float[k * k];
        float[] tmp = new float[k * k];
        ByteBuffer b = ByteBuffer.allocate(sx * k * k * 2).order(ByteOrder.LITTLE_ENDIAN);
        for (int x = 0; x < sx; x++) {
            pattern(y, x, counts, 0, img, tmp);
            for (int v : counts) b.putShort((short) v);
        }
        return b.flip();
    }
}
