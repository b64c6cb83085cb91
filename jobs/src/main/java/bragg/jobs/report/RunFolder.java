package bragg.jobs.report;

import java.nio.file.Path;

/**
 * The files of one run under {@code bragg.output.dir}. Every job reads and writes these names,
 * so train, evaluate, infer and report find each other's outputs.
 * <pre>
 *   model.zip          trained model (DL4J ModelSerializer, with provenance)
 *   config.conf        the resolved config of the training run (secrets redacted)
 *   metrics.csv        one row per optimizer step (rank 0)
 *   checkpoints/       periodic checkpoints (resume)
 *   evaluation.json    held-out scores (evaluate)
 *   maps/              phase/orientation/defect maps as PNG and .npy (infer)
 *   report.html        everything above on one self-contained page
 * </pre>
 */
public record RunFolder(Path dir) {

    public Path model() {
        return dir.resolve("model.zip");
    }

    public Path config() {
        return dir.resolve("config.conf");
    }

    public Path metrics() {
        return dir.resolve("metrics.csv");
    }

    public Path checkpoints() {
        return dir.resolve("checkpoints");
    }

    public Path evaluation() {
        return dir.resolve("evaluation.json");
    }

    public Path maps() {
        return dir.resolve("maps");
    }

    public Path report() {
        return dir.resolve("report.html");
    }
}
