package bragg.jobs.evaluate;

import bragg.driver.spark.SparkSessions;
import bragg.jobs.config.BraggConfig;
import bragg.jobs.config.BraggKeys;
import bragg.jobs.config.ConfigOptions;
import bragg.jobs.report.Json;
import bragg.jobs.report.RunFolder;
import bragg.jobs.report.RunReport;
import bragg.driver.shards.ShardReader;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.Callable;
import org.apache.spark.sql.SparkSession;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/** {@code bragg evaluate <config>}: held-out scores of the run's model; last line one JSON object. */
@Command(name = "evaluate", mixinStandardHelpOptions = true,
        description = {"Score the trained model on the held-out region of the shards (bragg.data.holdout): accuracy, "
                + "per-class precision/recall/F1 and confusion matrix, or regression errors. Writes evaluation.json "
                + "and refreshes report.html in bragg.output.dir; the last line is one JSON object.",
                "Config keys: bragg.data.shards, bragg.data.holdout, bragg.model.head, bragg.infer.batch-size, "
                + "bragg.output.dir, spark.*"})
public final class EvaluateCommand implements Callable<Integer> {

    @Mixin
    ConfigOptions config;

    @Option(names = "--model", paramLabel = "<model.zip>", description = "Model to score (default: <bragg.output.dir>/model.zip).")
    Path model;

    @Override
    public Integer call() throws Exception {
        BraggConfig c = config.load();
        RunFolder run = new RunFolder(Path.of(c.get(BraggKeys.OUTPUT_DIR)));
        Path zip = model != null ? model : run.model();
        SparkSession spark = SparkSessions.getOrCreate("bragg evaluate", c.sparkConf());
        long t0 = System.nanoTime();
        EvaluationFile.Scores s;
        Path report;
        try {
            s = EvaluateJob.run(spark, c, zip);
            report = RunReport.write(run, c,
                    ShardReader.manifest(spark.sparkContext().hadoopConfiguration(), c.get(BraggKeys.DATA_SHARDS)), Map.of());
        } finally {
            spark.stop();
        }
        if (s.classification() != null) {
            System.out.print(s.classification().table());
        }
        if (s.regression() != null) {
            System.out.print(s.regression().table());
        }
        System.out.println("evaluation: " + run.evaluation());
        System.out.println("report:     " + report);
        Map<String, Object> last = new LinkedHashMap<>();
        if (s.classification() != null) {
            last.put("accuracy", s.classification().accuracy());
            last.put("count", s.classification().count());
        }
        if (s.regression() != null) {
            last.put("rmse", s.regression().columns().get(0).rmse());
            last.put("count", s.regression().count());
        }
        last.put("held_out", s.heldOut());
        last.put("evaluation", run.evaluation().toAbsolutePath().toString());
        last.put("report", report.toAbsolutePath().toString());
        last.put("seconds", (System.nanoTime() - t0) / 1e9);
        System.out.println(Json.write(last));
        return 0;
    }
}
