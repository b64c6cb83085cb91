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
 *   counts  = Poisson(dose * pattern / sum(pattern)) per pixel -> uint16 (drawn electron by electron, see count)
 * outputs: scan.npy (or scan.h5, EMD 1.0) [scan_y, scan_x, k, k] uint16, labels.npy [scan_y, scan_x] int32 (phase),
 *          labels.txt (phase names), targets.npy [scan_y, scan_x, 1] float32 (theta in degrees
 *          modulo the lattice's rotation symmetry: 90 cubic, 60 hexagonal), generate.json.
 * </pre>
 * Each position draws from its own random stream (seed, position), so the file does not
 * depend on the thread count; rows are generated in parallel and written in order, holding
 * only a few scan rows in memory (a 50 GB file needs no more memory than a small one).
 * {@link #writeEmd} writes the EMD 1.0 HDF5 layout instead, for scans that fit in memory.
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
        count(img, k * k, spec.dose(), rnd, out, off);
    }

    private static final ThreadLocal<double[]> CDF = ThreadLocal.withInitial(() -> new double[0]);

    /**
     * Independent Poisson counts out[i] ~ Poisson(dose * img[i]) for n pixels. When the expected
     * total is below 4 electrons per pixel (the usual case: a few 10^4 electrons on 10^4-10^5
     * pixels) they are drawn as N ~ Poisson(dose * sum img) electrons landing on pixel i with
     * probability img[i] / sum img: the same joint distribution (Poisson splitting), at the
     * cost of one cumulative sum and N binary searches instead of n exponentials.
     */
    static void count(float[] img, int n, double dose, SplittableRandom rnd, int[] out, int off) {
        double[] cdf = CDF.get();
        if (cdf.length < n) CDF.set(cdf = new double[n]);
        double total = 0;
        for (int i = 0; i < n; i++) cdf[i] = total += Math.max(0, img[i]);
        double mean = dose * total;
        if (mean > 4.0 * n || total <= 0) {
            for (int i = 0; i < n; i++) out[off + i] = Math.min(65535, Poisson.sample(rnd, dose * img[i]));
            return;
        }
        java.util.Arrays.fill(out, off, off + n, 0);
        int electrons = Poisson.sample(rnd, mean);
        for (int e = 0; e < electrons; e++) {
            double u = rnd.nextDouble() * total;
            int lo = 0;
            int hi = n - 1;
            while (lo < hi) {                 // first pixel whose cumulative sum exceeds u
                int mid = (lo + hi) >>> 1;
                if (cdf[mid] > u) hi = mid; else lo = mid + 1;
            }
            if (out[off + lo] < 65535) out[off + lo]++;
        }
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
        try (NpyWriter w = new NpyWriter(dir.resolve("scan.npy"), DType.U16, ByteOrder.LITTLE_ENDIAN, new long[]{spec.scanY(), spec.scanX(), k, k})) {
            forEachRow(threads, (y, b) -> w.write(b));
        }
        writeLabels(dir, "scan.npy");
    }

    /**
     * Writes scan.h5 in the py4DSTEM/emdfile EMD 1.0 layout instead of scan.npy:
     * {@code datacube_root/datacube/data} uint16 [scan_y, scan_x, k, k], chunked one pattern per
     * chunk with shuffle + gzip, {@code dim0..dim3} axis vectors (name, units), the EMD group
     * attributes; labels as with {@link #write}. Held in memory while written (jhdf writes a
     * dataset from one array), so limited to {@link LpbfGenerator#HDF5_LIMIT_BYTES}: larger scans stream to .npy.
     */
    public void writeEmd(Path dir, int threads) throws IOException {
        if (spec.bytes() > LpbfGenerator.HDF5_LIMIT_BYTES) {
            throw new IllegalArgumentException("generate: EMD HDF5 output of a " + spec.scanY() + "x" + spec.scanX() + " scan of " + spec.detector() + "x"
                    + spec.detector() + " patterns needs " + (spec.bytes() >> 20) + " MB in memory (jhdf writes whole datasets only); the limit is "
                    + (LpbfGenerator.HDF5_LIMIT_BYTES >> 20) + " MB: write .npy instead (it streams)");
        }
        Files.createDirectories(dir);
        int k = spec.detector();
        short[][][][] data = new short[spec.scanY()][spec.scanX()][k][k];
        forEachRow(threads, (y, b) -> {
            java.nio.ShortBuffer row = b.asShortBuffer();
            for (int x = 0; x < spec.scanX(); x++) for (int py = 0; py < k; py++) row.get((x * k + py) * k, data[y][x][py]);
        });
        try (io.jhdf.WritableHdfFile f = io.jhdf.HdfFile.write(dir.resolve("scan.h5"))) {
            f.putAttribute("emd_group_type", "file");
            f.putAttribute("version_major", 1);
            f.putAttribute("version_minor", 0);
            f.putAttribute("authoring_program", "bragg generate");
            io.jhdf.api.WritableGroup root = f.putGroup("datacube_root");
            root.putAttribute("emd_group_type", "root");
            root.putAttribute("python_class", "Root");
            io.jhdf.api.WritableGroup cube = root.putGroup("datacube");
            cube.putAttribute("emd_group_type", "array");
            cube.putAttribute("python_class", "DataCube");
            io.jhdf.api.WritableDataset d = cube.putDataset("data", data,
                    io.jhdf.api.DatasetCreationOptions.builder().unsigned().chunkDimensions(1, 1, k, k).shuffle().deflate(4).build());
            d.putAttribute("units", "counts");
            String[] names = {"scan_y", "scan_x", "k_y", "k_x"};
            for (int i = 0; i < 4; i++) {
                io.jhdf.api.WritableDataset dim = cube.putDataset("dim" + i, new double[]{0, 1});   // EMD 1.0 keeps offset and step
                dim.putAttribute("name", names[i]);
                dim.putAttribute("units", "pixels");
            }
        }
        writeLabels(dir, "scan.h5");
    }

    /** Receives the scan rows in order, each as little-endian uint16 [scan_x, k, k]. */
    private interface RowSink {
        void accept(int y, ByteBuffer row) throws IOException;
    }

    /** Generates rows in parallel and hands them over in order, holding at most 2 x threads rows. */
    private void forEachRow(int threads, RowSink sink) throws IOException {
        int sy = spec.scanY();
        ExecutorService pool = Executors.newFixedThreadPool(Math.max(1, threads));
        try {
            int window = Math.max(2, 2 * threads);
            List<Future<ByteBuffer>> pending = new ArrayList<>();
            int next = 0;
            for (int y = 0; y < sy || !pending.isEmpty(); ) {
                while (y < sy && pending.size() < window) {
                    final int row = y++;
                    pending.add(pool.submit(() -> row(row)));
                }
                sink.accept(next++, pending.remove(0).get());
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IOException("generation interrupted", e);
        } catch (java.util.concurrent.ExecutionException e) {
            throw new IOException("generating a scan row failed: " + e.getCause(), e.getCause());
        } finally {
            pool.shutdownNow();
        }
    }

    private void writeLabels(Path dir, String scanFile) throws IOException {
        int sy = spec.scanY();
        int sx = spec.scanX();
        int k = spec.detector();
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
                "{\"kind\":\"4dstem\",\"file\":\"%s\",\"scan_y\":%d,\"scan_x\":%d,\"detector\":%d,\"grains\":%d,\"dose\":%s,\"descan\":%s,\"blur\":%s,"
                        + "\"disk_radius\":%s,\"seed\":%d,\"phases\":[\"cubic\",\"hexagonal\"],\"targets\":[\"orientation_deg\"]}%n",
                scanFile, sy, sx, k, spec.grains(), spec.dose(), spec.descan(), spec.blur(), spec.diskRadius(), spec.seed()), StandardCharsets.UTF_8);
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
