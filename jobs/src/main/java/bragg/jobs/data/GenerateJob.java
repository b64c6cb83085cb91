package bragg.jobs.data;

import bragg.driver.generate.LpbfGenerator;
import bragg.driver.generate.LpbfSpec;
import bragg.driver.generate.StemGenerator;
import bragg.driver.generate.StemSpec;
import bragg.jobs.config.BraggConfig;
import bragg.jobs.config.BraggKeys;
import bragg.jobs.config.ConfigMapping;
import java.io.IOException;
import java.nio.file.Path;
import java.util.Locale;

/**
 * {@code bragg generate <config>}: the synthetic data set of {@code bragg.generate.*}, written to
 * {@code bragg.generate.out}. The files are what preprocess reads: {@link Outcome#input()} is
 * the value {@code bragg.data.input} needs, {@link Outcome#labels()} that of {@code bragg.data.labels}.
 */
public final class GenerateJob {
    private GenerateJob() {
    }

    /**
     * @param input   the raw input preprocess reads (scan.npy, or the layers/ folder)
     * @param labels  labels.npy (names in labels.txt beside it)
     * @param summary one line saying what was written
     */
    public record Outcome(Path input, Path labels, String summary, double seconds) {
    }

    public static Outcome run(BraggConfig c, int threads) throws IOException {
        long t0 = System.nanoTime();
        Path out = Path.of(c.get(BraggKeys.GEN_OUT));
        String summary;
        Path input;
        if (c.get(BraggKeys.GEN_KIND).equals("4dstem")) {
            StemSpec s = ConfigMapping.stem(c);
            new StemGenerator(s).write(out, threads);
            input = out.resolve("scan.npy");
            summary = String.format(Locale.ROOT, "%s [%d, %d, %d, %d] uint16 (%.1f MB), %d grains of %s, seed %d", input,
                    s.scanY(), s.scanX(), s.detector(), s.detector(), s.bytes() / 1e6, s.grains(), StemGenerator.PHASES, s.seed());
        } else {
            LpbfSpec s = ConfigMapping.lpbf(c);
            new LpbfGenerator(s).write(out);
            input = out.resolve("layers");
            summary = String.format(Locale.ROOT, "%s (%d PNG layers %dx%d), %d defects, labels per %dx%d tile, seed %d", input,
                    s.layers(), s.size(), s.size(), s.defects(), s.tile(), s.tile(), s.seed());
        }
        return new Outcome(input, out.resolve("labels.npy"), summary, (System.nanoTime() - t0) / 1e9);
    }
}
