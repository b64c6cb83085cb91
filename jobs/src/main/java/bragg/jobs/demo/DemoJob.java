package bragg.jobs.demo;

import bragg.driver.preprocess.PreprocessJob;
import bragg.driver.shards.Manifest;
import bragg.jobs.config.BraggConfig;
import bragg.jobs.config.BraggKeys;
import bragg.jobs.config.ConfigMapping;
import bragg.jobs.data.GenerateJob;
import bragg.jobs.evaluate.EvaluateJob;
import bragg.jobs.evaluate.EvaluationFile;
import bragg.jobs.infer.InferJob;
import bragg.jobs.infer.MapWriter;
import bragg.jobs.progress.ProgressListener;
import bragg.jobs.report.RunFolder;
import bragg.jobs.report.RunReport;
import bragg.jobs.train.TrainJob;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import org.apache.spark.sql.SparkSession;

/**
 * The whole bragg pipeline on synthetic data, in one Spark session: generate -> preprocess ->
 * train (barrier stage, ring all-reduce) -> evaluate on the held-out region -> infer the maps ->
 * report.html. Every stage is the same code its own command runs; the demo only wires the
 * generated files into {@code bragg.data.input} and {@code bragg.data.labels}.
 */
public final class DemoJob {
    static final String[] STAGES = {"generate", "preprocess", "train", "evaluate", "infer", "report"};

    private DemoJob() {
    }

    /** What the demo produced. */
    public record Outcome(RunFolder run, GenerateJob.Outcome data, Manifest manifest, TrainJob.Outcome train,
                          EvaluationFile.Scores scores, List<MapWriter.Written> maps, Path report,
                          Map<String, Double> stageSeconds, double seconds) {
        /** Held-out accuracy (the demo trains a classifier). */
        public double accuracy() {
            return scores.classification().accuracy();
        }
    }

    /**
     * @param log      one line per stage as it starts and ends (stdout for the command)
     * @param progress training steps, live
     */
    public static Outcome run(SparkSession spark, BraggConfig config, PrintStream log, ProgressListener progress)
            throws IOException {
        long t0 = System.nanoTime();
        requireClassifier(config);
        Map<String, Double> seconds = new LinkedHashMap<>();
        Stages st = new Stages(log, seconds);

        st.start(0, "synthetic " + config.get(BraggKeys.GEN_KIND) + " data into " + config.get(BraggKeys.GEN_OUT));
        GenerateJob.Outcome data = GenerateJob.run(config, Runtime.getRuntime().availableProcessors());
        st.end(data.summary());

        BraggConfig c = config.with(BraggKeys.DATA_INPUT.path(), data.input().toString())
                .with(BraggKeys.DATA_LABELS.path(), data.labels().toString());
        RunFolder run = new RunFolder(Path.of(c.get(BraggKeys.OUTPUT_DIR)));

        st.start(1, data.input() + " -> " + c.get(BraggKeys.DATA_SHARDS));
        spark.sparkContext().setJobDescription("bragg demo: preprocess");
        Manifest m = PreprocessJob.run(spark, ConfigMapping.preprocess(c));
        st.end(String.format(Locale.ROOT, "%d samples of %s %s, labels %s", m.count(),
                java.util.Arrays.toString(m.sampleShape()), m.dtype(), m.countsPerLabel()));

        int replicas = c.get(BraggKeys.TRAIN_REPLICAS);
        st.start(2, c.get(BraggKeys.MODEL_KIND) + " with " + (replicas == 0 ? "one replica per core" : replicas + " replica(s)") + ", "
                + c.get(BraggKeys.TRAIN_EPOCHS) + " epochs, " + c.get(BraggKeys.TRAIN_TRANSPORT) + " all-reduce");
        TrainJob.Outcome t;
        try {
            t = TrainJob.run(spark, c, progress);
        } finally {
            progress.onEnd();
        }
        st.end(String.format(Locale.ROOT, "%d parameters, %d replicas, %d steps on %d samples, %d attempt(s)", t.parameters(),
                t.replicas(), t.result().steps(), t.result().plan().samples(), t.result().attempts()));

        st.start(3, "held-out region, " + c.get(BraggKeys.DATA_HOLDOUT) + " of the data");
        EvaluationFile.Scores s = EvaluateJob.run(spark, c, run.model());
        st.end(String.format(Locale.ROOT, "accuracy %.4f on %d positions (%s)", s.classification().accuracy(),
                s.classification().count(), s.heldOut()));

        st.start(4, "every position of the shards");
        List<MapWriter.Written> maps = InferJob.run(spark, c, run.model());
        st.end(maps.size() + " map(s) in " + run.maps());

        st.start(5, run.report().toString());
        Map<String, String> extra = new LinkedHashMap<>();
        seconds.forEach((k, v) -> extra.put("demo " + k, String.format(Locale.ROOT, "%.1f s", v)));
        Path report = RunReport.write(run, c, m, extra);
        st.end("self-contained page: curves, confusion matrix, maps, config, provenance");

        return new Outcome(run, data, m, t, s, maps, report, seconds, (System.nanoTime() - t0) / 1e9);
    }

    /** The demo's score is the held-out accuracy, so its model must classify; checked before Spark starts. */
    public static void requireClassifier(BraggConfig c) {
        if (!c.get(BraggKeys.MODEL_HEAD).equals("classification")) {
            throw new IllegalArgumentException("config key bragg.model.head = " + c.get(BraggKeys.MODEL_HEAD)
                    + ": the demo trains a classifier (its score is the held-out accuracy); set it to classification");
        }
    }

    /** Prints "[2/6] preprocess: ..." as a stage starts and its result and time when it ends. */
    private static final class Stages {
        private final PrintStream log;
        private final Map<String, Double> seconds;
        private int current;
        private long started;

        Stages(PrintStream log, Map<String, Double> seconds) {
            this.log = log;
            this.seconds = seconds;
        }

        void start(int stage, String what) {
            current = stage;
            started = System.nanoTime();
            log.printf(Locale.ROOT, "[%d/%d] %s: %s%n", stage + 1, STAGES.length, STAGES[stage], what);
            log.flush();
        }

        void end(String result) {
            double s = (System.nanoTime() - started) / 1e9;
            seconds.put(STAGES[current], s);
            log.printf(Locale.ROOT, "      %s (%.1f s)%n", result, s);
            log.flush();
        }
    }
}
