package bragg.jobs.config;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/**
 * The config options every job shares (a picocli mixin): an optional HOCON file and repeatable
 * {@code --set key=value} overrides. {@link #load()} validates everything at start-up.
 */
public final class ConfigOptions {

    @Parameters(index = "0", arity = "0..1", paramLabel = "<config>",
            description = "HOCON config file (e.g. conf/vit-4dstem.conf); keys not set take the defaults "
                    + "of reference.conf (bin/bragg config reference).")
    Path file;

    @Option(names = "--set", paramLabel = "key=value",
            description = "Override one config key, e.g. --set bragg.train.epochs=3 --set spark.executor.memory=8g. Repeatable.")
    List<String> overrides = new ArrayList<>();

    public BraggConfig load() {
        return BraggConfig.load(file, overrides);
    }

    /** As {@link #load()}, with {@code fallback} as the file when the command line names none. */
    public BraggConfig load(Path fallback) {
        return BraggConfig.load(file != null ? file : fallback, overrides);
    }

    /** Whether the command line named a config file or any --set (else the job has nothing to go on but defaults). */
    public boolean given() {
        return file != null || !overrides.isEmpty();
    }

    /** The file named on the command line, or null. */
    public Path file() {
        return file;
    }
}
