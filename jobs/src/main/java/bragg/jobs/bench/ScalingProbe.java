package bragg.jobs.bench;

import bragg.driver.spark.SparkSessions;
import bragg.jobs.config.BraggConfig;
import bragg.jobs.progress.ProgressListener;
import bragg.jobs.train.TrainCommand;
import bragg.jobs.train.TrainJob;
import bragg.worker.train.StepMetrics;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import org.apache.spark.sql.SparkSession;

/**
 * One side of {@code bench allreduce}'s scaling measurement, in its own JVM (started with as many
 * cores as replicas and one native thread per replica): trains with {@code bragg train}'s code on
 * local[N] and prints, as its last line, the median training samples/s of the steps after warm-up.
 * Arguments: replicas, then {@code key=value} config overrides.
 */
public final class ScalingProbe {
    static final int WARMUP_STEPS = 3;

    private ScalingProbe() {
    }

    public static void main(String[] args) throws Exception {
        int replicas = Integer.parseInt(args[0]);
        List<String> overrides = new ArrayList<>(Arrays.asList(args).subList(1, args.length));
        overrides.add("spark.master=local[" + replicas + "]");
        overrides.add("bragg.train.replicas=" + replicas);
        System.out.println(String.format(Locale.ROOT, "samples_per_s %.3f", samplesPerSec(BraggConfig.load(null, overrides))));
    }

    /**
     * Trains with {@code c} on the master it names (or the one spark-submit gave) and returns the
     * median training samples/s of the steps after warm-up.
     */
    static double samplesPerSec(BraggConfig c) throws java.io.IOException {
        SparkSession spark = SparkSessions.getOrCreate("bragg bench scaling", TrainCommand.sparkConf(c));
        try {
            ProgressListener quiet = m -> { };
            TrainJob.Outcome o = TrainJob.run(spark, c, quiet);
            double[] rates = o.result().metrics().stream().skip(WARMUP_STEPS).mapToDouble(StepMetrics::samplesPerSec)
                    .sorted().toArray();
            if (rates.length == 0) {
                throw new IllegalStateException("the probe ran " + o.result().metrics().size() + " steps, fewer than its "
                        + WARMUP_STEPS + " warm-up steps");
            }
            return rates[rates.length / 2];
        } finally {
            spark.stop();
        }
    }
}
