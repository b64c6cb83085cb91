package bragg.jobs.data;

import bragg.driver.generate.LpbfGenerator;
import bragg.driver.generate.LpbfSpec;
import bragg.driver.generate.StemGenerator;
import bragg.driver.generate.StemSpec;
import bragg.jobs.config.ConfigOptions;
import bragg.jobs.report.Json;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/**
 * {@code bragg generate <config>} (the {@code bragg.generate.*} keys) or {@code bragg generate
 * 4dstem|lpbf --out <dir> [options]}: synthetic data with labels, deterministic per seed, streamed to disk.
 */
@Command(name = "generate", mixinStandardHelpOptions = true,
        description = {"Write synthetic 4D-STEM scans or LPBF layer stacks with labels (deterministic per seed): "
                + "from a config (bragg generate conf/demo-4dstem.conf [--set ...]) or with the options of the "
                + "4dstem and lpbf subcommands.",
                "Config keys: bragg.generate.* (kind, out, seed; 4dstem: scan, detector, grains, dose; "
                + "lpbf: layers, size, tile, defects)"},
        subcommands = {GenerateCommand.Stem.class, GenerateCommand.Lpbf.class})
public final class GenerateCommand implements Callable<Integer> {
    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Mixin
    ConfigOptions config;

    @Override
    public Integer call() throws Exception {
        if (!config.given()) {
            throw new CommandLine.ParameterException(spec.commandLine(),
                    "say 4dstem or lpbf, or give a config file with bragg.generate.* keys (and/or --set)");
        }
        GenerateJob.Outcome o = GenerateJob.run(config.load(), Runtime.getRuntime().availableProcessors());
        System.out.printf(Locale.ROOT, "wrote %s + %s in %.1f s%n", o.summary(), o.labels(), o.seconds());
        Map<String, Object> last = new LinkedHashMap<>();
        last.put("input", o.input().toAbsolutePath().toString());
        last.put("labels", o.labels().toAbsolutePath().toString());
        last.put("seconds", o.seconds());
        System.out.println(Json.write(last));
        return 0;
    }

    @Command(name = "4dstem", mixinStandardHelpOptions = true,
            description = "Two-phase polycrystal scan: scan.npy or scan.h5 (EMD 1.0) uint16, labels.npy (phase), labels.txt, targets.npy (orientation, deg).")
    static final class Stem implements Callable<Integer> {
        @Option(names = "--out", required = true, description = "output folder")
        Path out;
        @Option(names = "--scan", defaultValue = "32,32", description = "scan shape y,x (default ${DEFAULT-VALUE})")
        String scan;
        @Option(names = "--detector", defaultValue = "128", description = "detector pixels per side (default ${DEFAULT-VALUE})")
        int detector;
        @Option(names = "--grains", description = "Voronoi grains (default: scan positions / 64, at least 2)")
        Integer grains;
        @Option(names = "--dose", defaultValue = "20000", description = "mean electrons per pattern (default ${DEFAULT-VALUE})")
        double dose;
        @Option(names = "--descan", description = "descan shift across the scan, pixels (default detector/32)")
        Double descan;
        @Option(names = "--blur", defaultValue = "0.8", description = "detector PSF sigma, pixels (default ${DEFAULT-VALUE})")
        double blur;
        @Option(names = "--disk-radius", description = "disk radius, pixels (default max(2, detector/48))")
        Double diskRadius;
        @Option(names = "--seed", defaultValue = "1", description = "random seed (default ${DEFAULT-VALUE})")
        long seed;
        @Option(names = "--threads", description = "generator threads (default: available cores)")
        Integer threads;
        @Option(names = "--format", defaultValue = "npy", description = "npy (streamed, any size) or emd (scan.h5, EMD 1.0 HDF5 layout, "
                + "gzip+shuffle; held in memory, up to 256 MB) (default ${DEFAULT-VALUE})")
        String format;

        @Override
        public Integer call() throws Exception {
            long[] s = bragg.driver.io.OpenOptions.parseShape("scan", scan);
            if (s == null || s.length != 2) throw new IllegalArgumentException("--scan must be y,x, got '" + scan + "'");
            StemSpec d = StemSpec.of((int) s[0], (int) s[1], detector, seed);
            StemSpec spec = new StemSpec(d.scanY(), d.scanX(), detector, grains == null ? d.grains() : grains, dose,
                    descan == null ? d.descan() : descan, blur, diskRadius == null ? d.diskRadius() : diskRadius, seed);
            if (!format.equals("npy") && !format.equals("emd")) throw new IllegalArgumentException("--format must be npy or emd, got '" + format + "'");
            long t0 = System.nanoTime();
            int th = threads == null ? Runtime.getRuntime().availableProcessors() : threads;
            StemGenerator g = new StemGenerator(spec);
            if (format.equals("emd")) g.writeEmd(out, th); else g.write(out, th);
            System.out.printf("wrote %s/scan.%s [%d, %d, %d, %d] uint16 (%.2f GB raw) + labels.npy, labels.txt, targets.npy, generate.json in %.1f s%n",
                    out, format.equals("emd") ? "h5" : "npy", spec.scanY(), spec.scanX(), detector, detector, spec.bytes() / 1e9, (System.nanoTime() - t0) / 1e9);
            return 0;
        }
    }

    @Command(name = "lpbf", mixinStandardHelpOptions = true,
            description = "Layer stack: layers/layer_NNNNN.png, labels.npy (per-patch defect class per layer), labels.txt; optional Peregrine HDF5.")
    static final class Lpbf implements Callable<Integer> {
        @Option(names = "--out", required = true, description = "output folder")
        Path out;
        @Option(names = "--layers", defaultValue = "32", description = "layers (default ${DEFAULT-VALUE})")
        int layers;
        @Option(names = "--size", defaultValue = "256", description = "layer image side, pixels (default ${DEFAULT-VALUE})")
        int size;
        @Option(names = "--tile", defaultValue = "32", description = "patch side for the labels, pixels (default ${DEFAULT-VALUE})")
        int tile;
        @Option(names = "--defects", description = "defects over the build (default layers/4, at least 2)")
        Integer defects;
        @Option(names = "--rotation", defaultValue = "67", description = "stripe rotation per layer, degrees (default ${DEFAULT-VALUE})")
        double rotation;
        @Option(names = "--seed", defaultValue = "1", description = "random seed (default ${DEFAULT-VALUE})")
        long seed;
        @Option(names = "--hdf5", description = "also write stack.h5 in the Peregrine layout (small stacks only: jhdf writes from memory)")
        boolean hdf5;

        @Override
        public Integer call() throws Exception {
            LpbfSpec d = LpbfSpec.of(layers, size, tile, seed);
            LpbfSpec spec = new LpbfSpec(layers, size, tile, defects == null ? d.defects() : defects, rotation, seed);
            LpbfGenerator g = new LpbfGenerator(spec);
            g.write(out);
            if (hdf5) g.writePeregrine(out.resolve("stack.h5"));
            System.out.printf("wrote %s/layers (%d PNG layers %dx%d), labels.npy [%d, %d, %d], labels.txt%s%n", out, layers, size, size,
                    layers, size / tile, size / tile, hdf5 ? ", stack.h5 (Peregrine layout)" : "");
            return 0;
        }
    }
}
