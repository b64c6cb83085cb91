package bragg.jobs.demo;

import bragg.driver.spark.SparkSessions;
import bragg.jobs.config.BraggConfig;
import bragg.jobs.config.BraggKeys;
import bragg.jobs.config.ConfigOptions;
import bragg.jobs.infer.MapWriter;
import bragg.jobs.progress.ConsoleProgress;
import bragg.jobs.report.Json;
import bragg.jobs.train.TrainCommand;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Callable;
import org.apache.spark.sql.SparkSession;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/** {@code bragg demo}: the whole pipeline on a small synthetic scan; last line one JSON object. */
@Command(name = "demo", mixinStandardHelpOptions = true,
        description = {"Generate a small two-phase 4D-STEM scan, preprocess it, train the vit with "
                + "bragg.train.replicas replicas through the barrier stage and the ring all-reduce, evaluate it on "
                + "the held-out region, infer the phase map and write report.html; print where everything is. The "
                + "last line is one JSON object (accuracy, report, model, seconds). The config is conf/demo-4dstem.conf "
                + "(conf/demo-lpbf.conf with --lpbf: the LPBF stack model) unless a file is given; --set overrides any "
                + "key. The demo sets bragg.data.input and bragg.data.labels to the files it generates. Exit code 1 "
                + "when the held-out accuracy is below --min-accuracy.",
                "Config keys: bragg.generate.*, bragg.data.shards, bragg.data.holdout, bragg.preprocess.*, "
                + "bragg.model.*, bragg.train.*, bragg.infer.*, bragg.kernels.device, bragg.output.dir, "
                + "bragg.output.overwrite, spark.*"})
public final class DemoCommand implements Callable<Integer> {
    static final String CONFIG_4DSTEM = "demo-4dstem.conf";
    static final String CONFIG_LPBF = "demo-lpbf.conf";

    @Mixin
    ConfigOptions config;

    @Option(names = "--lpbf", description = "Run the LPBF layer-stack demo (conf/demo-lpbf.conf, the stack model).")
    boolean lpbf;

    @Option(names = "--min-accuracy", defaultValue = "0.95", paramLabel = "<fraction>",
            description = "Held-out accuracy the demo must reach, 0..1 (default ${DEFAULT-VALUE}); below it the exit code is 1.")
    double minAccuracy;

    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Override
    public Integer call() throws Exception {
        if (!(minAccuracy >= 0 && minAccuracy <= 1)) {
            throw new CommandLine.ParameterException(spec.commandLine(),
                    "--min-accuracy " + minAccuracy + ": must be a fraction between 0 and 1, e.g. 0.95");
        }
        if (lpbf && config.file() != null) {
            throw new CommandLine.ParameterException(spec.commandLine(), "--lpbf picks conf/" + CONFIG_LPBF
                    + "; give either --lpbf or a config file (" + config.file() + "), not both");
        }
        BraggConfig c = config.load(defaultConfig(lpbf ? CONFIG_LPBF : CONFIG_4DSTEM));
        DemoJob.requireClassifier(c);
        SparkSession spark = SparkSessions.getOrCreate("bragg demo", TrainCommand.sparkConf(c));
        DemoJob.Outcome o;
        try {
            o = DemoJob.run(spark, c, System.out, ConsoleProgress.forJob(c.get(BraggKeys.TRAIN_LOG_EVERY)));
        } finally {
            spark.stop();
        }
        boolean passed = o.accuracy() >= minAccuracy;
        System.out.println();
        System.out.printf(Locale.ROOT, "demo finished in %.1f s: held-out accuracy %.2f%% on %d positions (target >= %.0f%%: %s)%n",
                o.seconds(), 100 * o.accuracy(), o.scores().classification().count(), 100 * minAccuracy,
                passed ? "reached" : "MISSED");
        System.out.println("  data:       " + o.data().input().toAbsolutePath());
        System.out.println("  shards:     " + c.get(BraggKeys.DATA_SHARDS));
        System.out.println("  model:      " + o.run().model().toAbsolutePath());
        System.out.println("  config:     " + o.run().config().toAbsolutePath());
        System.out.println("  metrics:    " + o.run().metrics().toAbsolutePath());
        System.out.println("  evaluation: " + o.run().evaluation().toAbsolutePath());
        for (MapWriter.Written w : o.maps()) {
            System.out.println("  map:        " + w.png().toAbsolutePath());
        }
        System.out.println("  report:     " + o.report().toAbsolutePath() + "   (open it in a browser)");
        System.out.println(Json.write(summary(o, minAccuracy, passed)));
        if (!passed) {
            System.err.printf(Locale.ROOT, "bragg demo: held-out accuracy %.4f is below --min-accuracy %.4f (tune "
                    + "bragg.generate.*, bragg.model.*, bragg.train.* in the demo config)%n", o.accuracy(), minAccuracy);
            return 1;
        }
        return 0;
    }

    static Map<String, Object> summary(DemoJob.Outcome o, double minAccuracy, boolean passed) {
        Map<String, Object> j = new LinkedHashMap<>();
        j.put("accuracy", o.accuracy());
        j.put("report", o.report().toAbsolutePath().toString());
        j.put("model", o.run().model().toAbsolutePath().toString());
        j.put("seconds", o.seconds());
        j.put("held_out", o.scores().classification().count());
        j.put("replicas", o.train().replicas());
        j.put("min_accuracy", minAccuracy);
        j.put("passed", passed);
        j.put("maps", o.maps().stream().map(w -> w.png().toAbsolutePath().toString()).toList());
        j.put("stage_seconds", o.stageSeconds());
        return j;
    }

    /**
     * conf/{@code name} of the bragg checkout: bin/bragg passes its root as bragg.root.dir; without it
     * (spark-submit, tests) the working directory's conf/.
     */
    static Path defaultConfig(String name) {
        Path root = Path.of(System.getProperty("bragg.root.dir", "."));
        Path f = root.resolve("conf").resolve(name);
        if (!Files.isRegularFile(f)) {
            throw new IllegalArgumentException("demo config " + f + " does not exist: run the demo from a bragg checkout "
                    + "(bin/bragg demo), or name the config file: demo <config>");
        }
        return f;
    }
}
