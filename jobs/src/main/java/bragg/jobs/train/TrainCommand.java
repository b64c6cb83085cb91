package bragg.jobs.train;

import bragg.driver.spark.SparkSessions;
import bragg.jobs.config.BraggConfig;
import bragg.jobs.config.BraggKeys;
import bragg.jobs.config.ConfigOptions;
import bragg.jobs.progress.ConsoleProgress;
import bragg.jobs.report.Json;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.Callable;
import org.apache.spark.sql.SparkSession;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;

/** {@code bragg train <config>}: shards -> model, data-parallel on a barrier stage; last line one JSON object. */
@Command(name = "train", mixinStandardHelpOptions = true,
        description = {"Train the configured model on the shards (minus the held-out region) with "
                + "bragg.train.replicas data-parallel replicas, one Spark barrier task each, gradients all-reduced "
                + "every step. Writes model.zip, config.conf and metrics.csv into bragg.output.dir; resumes from the "
                + "newest checkpoint when a run there was interrupted. The last line is one JSON object.",
                "Config keys: bragg.data.shards, bragg.data.holdout, bragg.model.*, bragg.train.*, bragg.kernels.device, "
                + "bragg.output.dir, bragg.output.overwrite, spark.*"})
public final class TrainCommand implements Callable<Integer> {

    @Mixin
    ConfigOptions config;

    @Override
    public Integer call() throws Exception {
        BraggConfig c = config.load();
        SparkSession spark = SparkSessions.getOrCreate("bragg train", sparkConf(c));
        TrainJob.Outcome o;
        ConsoleProgress progress = ConsoleProgress.forJob(c.get(BraggKeys.TRAIN_LOG_EVERY));
        try {
            o = TrainJob.run(spark, c, progress);
        } finally {
            progress.onEnd();
            spark.stop();
        }
        System.out.printf("trained %d parameters on %d samples with %d replicas in %d steps (%d attempt(s)), %.1f s%n",
                o.parameters(), o.result().plan().samples(), o.replicas(), o.result().steps(), o.result().attempts(),
                o.seconds());
        System.out.println("model:   " + o.run().model());
        System.out.println("metrics: " + o.run().metrics());
        System.out.println(Json.write(summary(o)));
        return 0;
    }

    /**
     * The job's Spark settings plus the barrier timeout: Spark reads spark.barrier.sync.timeout
     * when the context starts, so it goes in here, from bragg.train.barrier-timeout unless the
     * config or spark-submit set it.
     */
    public static Map<String, String> sparkConf(BraggConfig c) {
        Map<String, String> m = new LinkedHashMap<>(c.sparkConf());
        m.putIfAbsent("spark.barrier.sync.timeout", c.get(BraggKeys.TRAIN_BARRIER_TIMEOUT).toSeconds() + "s");
        return m;
    }

    static Map<String, Object> summary(TrainJob.Outcome o) {
        Map<String, Object> j = new LinkedHashMap<>();
        var metrics = o.result().metrics();
        j.put("model", o.run().model().toAbsolutePath().toString());
        j.put("parameters", o.parameters());
        j.put("replicas", o.replicas());
        j.put("samples", o.result().plan().samples());
        j.put("steps", o.result().steps());
        j.put("attempts", o.result().attempts());
        j.put("final_loss", metrics.isEmpty() ? Double.NaN : metrics.get(metrics.size() - 1).loss());
        j.put("seconds", o.seconds());
        return j;
    }
}
