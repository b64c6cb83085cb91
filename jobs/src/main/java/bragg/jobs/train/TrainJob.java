package bragg.jobs.train;

import bragg.driver.shards.Manifest;
import bragg.driver.shards.ShardReader;
import bragg.driver.shards.Shards;
import bragg.driver.train.TrainDriver;
import bragg.driver.train.TrainingRun;
import bragg.jobs.BuildInfo;
import bragg.jobs.config.BraggConfig;
import bragg.jobs.config.BraggKeys;
import bragg.jobs.config.ConfigMapping;
import bragg.jobs.config.ModelMapping;
import bragg.jobs.infer.Holdout;
import bragg.jobs.progress.ProgressListener;
import bragg.jobs.report.AtomicFile;
import bragg.jobs.report.RunFolder;
import bragg.worker.train.CheckpointStore;
import bragg.worker.train.StepMetrics;
import bragg.worker.train.TrainConfig;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import org.apache.hadoop.conf.Configuration;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.functions;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * {@code bragg train}: shards -> model. Reads the shards and their manifest, leaves out the
 * held-out region, builds the configured model for the manifest's sample shape, runs the barrier
 * training stage, and writes the run folder: model.zip (with provenance), config.conf and
 * metrics.csv, each through a temporary name and a rename.
 */
public final class TrainJob {
    private static final Logger LOG = LoggerFactory.getLogger(TrainJob.class);

    private TrainJob() {
    }

    /** What a training run produced. */
    public record Outcome(RunFolder run, TrainDriver.Result result, int replicas, long parameters, double seconds) {
    }

    /** @param progress receives every step live (on a driver thread) */
    public static Outcome run(SparkSession spark, BraggConfig c, ProgressListener progress) throws IOException {
        long t0 = System.nanoTime();
        RunFolder run = new RunFolder(Path.of(c.get(BraggKeys.OUTPUT_DIR)));
        Configuration hadoop = spark.sparkContext().hadoopConfiguration();
        String finalCheckpoints = checkpointDir(c, run);
        boolean replacing = prepare(run, c, finalCheckpoints, hadoop);
        // A run that replaces a model checkpoints beside the old run's, which stay until it is complete.
        String checkpoints = replacing ? finalCheckpoints + REPLACEMENT : finalCheckpoints;

        Shards shards = ShardReader.read(spark, c.get(BraggKeys.DATA_SHARDS));
        Manifest m = shards.manifest();
        if (!c.get(BraggKeys.MODEL_HEAD).equals("classification")) {
            throw new IllegalArgumentException("config key bragg.model.head = " + c.get(BraggKeys.MODEL_HEAD)
                    + ": train supports classification heads in this version (evaluate and infer read regression models)");
        }
        int classes = m.labelNames().size();
        if (classes < 2) {
            throw new IllegalArgumentException(c.get(BraggKeys.DATA_SHARDS) + ": the manifest names " + classes
                    + " label(s) " + m.labelNames() + "; classification needs at least 2 (preprocess with bragg.data.labels)");
        }
        Dataset<Row> rows = trainingRows(shards, c);
        int replicas = c.get(BraggKeys.TRAIN_REPLICAS) == 0 ? spark.sparkContext().defaultParallelism()
                : c.get(BraggKeys.TRAIN_REPLICAS);
        SlotCheck.check(spark.sparkContext().getConf(), replicas);
        TrainConfig tc = ConfigMapping.train(c, checkpoints);
        Map<String, String> provenance = provenance(c, m);
        TrainingRun training = TrainingRun.prepare(rows, replicas, tc, ModelMapping.settings(c), m.sampleShape(), classes,
                m.dtype(), c.get(BraggKeys.TRAIN_TRANSPORT), ConfigMapping.collective(c), BuildInfo.version(), provenance);
        TrainDriver.Result r = training.run(c.get(BraggKeys.TRAIN_MAX_ATTEMPTS),
                new ProgressAdapter(progress, tc.epochs(), training.totalSteps()));

        Files.createDirectories(run.dir());
        AtomicFile.write(run.model(), ModelFiles.withProvenance(r.modelZip(), provenance, r));
        c.save(run.config());
        StringBuilder csv = new StringBuilder(StepMetrics.CSV_HEADER).append('\n');
        r.metrics().forEach(s -> csv.append(s.csv()).append('\n'));
        AtomicFile.write(run.metrics(), csv);
        if (replacing) {
            retire(run, finalCheckpoints, checkpoints, hadoop);
        }
        long params = ModelFiles.parameterCount(r.modelZip());
        return new Outcome(run, r, replicas, params, (System.nanoTime() - t0) / 1e9);
    }

    /** The shard rows to train on: labelled ones outside the held-out region. */
    static Dataset<Row> trainingRows(Shards shards, BraggConfig c) {
        Dataset<Row> rows = shards.rows();
        double fraction = c.get(BraggKeys.DATA_HOLDOUT);
        if (fraction > 0) {
            Holdout h = Holdout.of(shards.manifest(), fraction);
            rows = rows.filter(functions.not(h.heldOut()));
            LOG.info("holding out {} for evaluation", h.describe());
        }
        // Unlabelled positions (label -1) carry no training signal; infer still maps them.
        return rows.filter(functions.col("label").geq(0));
    }

    static String checkpointDir(BraggConfig c, RunFolder run) {
        String dir = c.get(BraggKeys.TRAIN_CHECKPOINT_DIR);
        return dir.isEmpty() ? run.checkpoints().toString() : dir;
    }

    /** Suffix of the checkpoint folder of a run that replaces a trained model. */
    static final String REPLACEMENT = ".replacing";

    /**
     * A run folder that already holds a model is not trained over unless bragg.output.overwrite is
     * set; then nothing is deleted here: the new run checkpoints beside the old one (an interrupted
     * replacement resumes from there) and {@link #retire} swaps the outputs once it is complete, so
     * a run that fails on the way leaves the old model and everything describing it. Checkpoints
     * without a model are an interrupted run: the new run resumes it.
     *
     * @return whether this run replaces a trained model
     */
    static boolean prepare(RunFolder run, BraggConfig c, String checkpoints, Configuration hadoop) throws IOException {
        if (Files.exists(run.model())) {
            if (!c.get(BraggKeys.OUTPUT_OVERWRITE)) {
                throw new IllegalArgumentException(run.model() + " exists: this run folder holds a trained model "
                        + "(set bragg.output.overwrite=true to train again, or choose another bragg.output.dir)");
            }
            return true;
        }
        if (!new CheckpointStore(checkpoints, hadoop, 2).steps().isEmpty()) {
            LOG.info("{} holds checkpoints of an unfinished run: resuming it", checkpoints);
        }
        return false;
    }

    /**
     * After the new model, config and metrics are in place: the new checkpoints take the old ones'
     * name, and the old evaluation, maps and report (which describe the replaced model) go.
     */
    static void retire(RunFolder run, String checkpoints, String replacement, Configuration hadoop) throws IOException {
        org.apache.hadoop.fs.Path ck = new org.apache.hadoop.fs.Path(checkpoints);
        org.apache.hadoop.fs.Path next = new org.apache.hadoop.fs.Path(replacement);
        org.apache.hadoop.fs.FileSystem fs = ck.getFileSystem(hadoop);
        fs.delete(ck, true);
        if (fs.exists(next) && !fs.rename(next, ck)) {
            throw new IOException("could not rename the new run's checkpoints " + next + " to " + ck);
        }
        Files.deleteIfExists(run.evaluation());
        Files.deleteIfExists(run.report());
        if (Files.isDirectory(run.maps())) {
            try (java.util.stream.Stream<Path> s = Files.walk(run.maps())) {
                for (Path p : s.sorted(java.util.Comparator.reverseOrder()).toList()) {
                    Files.delete(p);
                }
            }
        }
        LOG.info("replaced the model in {}; its old evaluation, maps and report were removed", run.dir());
    }

    private static Map<String, String> provenance(BraggConfig c, Manifest m) {
        Map<String, String> p = new LinkedHashMap<>();
        p.put("bragg.version", BuildInfo.version());
        p.put("config", c.renderJson());
        p.put("data.shards", c.get(BraggKeys.DATA_SHARDS));
        p.put("data.manifest", m.toJson());
        return p;
    }

}
