package bragg.jobs.infer;

import bragg.driver.shards.ShardReader;
import bragg.driver.spark.SparkSessions;
import bragg.jobs.config.BraggConfig;
import bragg.jobs.config.BraggKeys;
import bragg.jobs.config.ConfigOptions;
import bragg.jobs.report.Json;
import bragg.jobs.report.RunFolder;
import bragg.jobs.report.RunReport;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import org.apache.spark.sql.SparkSession;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/** {@code bragg infer <config>}: maps over the whole scan or stack; last line one JSON object. */
@Command(name = "infer", mixinStandardHelpOptions = true,
        description = {"Run the trained model over every position of the shards and write maps into "
                + "<bragg.output.dir>/maps: a phase map (classification), an orientation or value map (regression), "
                + "a defect map per layer (LPBF), each as PNG with a legend plus the numbers as .npy. "
                + "Refreshes report.html; the last line is one JSON object.",
                "Config keys: bragg.data.shards, bragg.model.head, bragg.infer.batch-size, "
                + "bragg.infer.orientation-period, bragg.output.dir, spark.*"})
public final class InferCommand implements Callable<Integer> {

    @Mixin
    ConfigOptions config;

    @Option(names = "--model", paramLabel = "<model.zip>", description = "Model to run (default: <bragg.output.dir>/model.zip).")
    Path model;

    @Override
    public Integer call() throws Exception {
        BraggConfig c = config.load();
        RunFolder run = new RunFolder(Path.of(c.get(BraggKeys.OUTPUT_DIR)));
        SparkSession spark = SparkSessions.getOrCreate("bragg infer", c.sparkConf());
        long t0 = System.nanoTime();
        List<MapWriter.Written> maps;
        Path report;
        try {
            maps = InferJob.run(spark, c, model != null ? model : run.model());
            report = RunReport.write(run, c,
                    ShardReader.manifest(spark.sparkContext().hadoopConfiguration(), c.get(BraggKeys.DATA_SHARDS)), Map.of());
        } finally {
            spark.stop();
        }
        List<String> files = new ArrayList<>();
        for (MapWriter.Written w : maps) {
            System.out.println("map:    " + w.png() + "  (" + w.caption() + ")");
            files.add(w.png().toAbsolutePath().toString());
            for (Path a : w.arrays()) {
                System.out.println("numbers: " + a);
                files.add(a.toAbsolutePath().toString());
            }
        }
        System.out.println("report: " + report);
        Map<String, Object> last = new LinkedHashMap<>();
        last.put("maps", files);
        last.put("report", report.toAbsolutePath().toString());
        last.put("seconds", (System.nanoTime() - t0) / 1e9);
        System.out.println(Json.write(last));
        return 0;
    }
}
