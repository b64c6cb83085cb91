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
 * local[N] and prints, as its last line, over the second half of its steps (the first half is
 * warm-up): the median training samples/s, rank 0's median compute time a step and its median
 * wait for the all-reduce after the backward.
 * Arguments: replicas, then {@code key=value} config overrides.
 */
public final class ScalingProbe {
    /**
     * Fewest steps a probe may run. The first half of a probe's steps is warm-up: an executor held to one
     * core compiles on the core it trains on, and its step time still fell 3-4x over the first
     * 300 steps (BENCHMARKS.md), so a fixed few warm-up steps timed the JIT, not the training.
     */
    static final int MIN_STEPS = 8;

    private ScalingProbe() {
    }

    public static void main(String[] args) throws Exception {
        int replicas = Integer.parseInt(args[0]);
        List<String> overrides = new ArrayList<>(Arrays.asList(args).subList(1, args.length));
        overrides.add("spark.master=local[" + replicas + "]");
        overrides.add("bragg.train.replicas=" + replicas);
        System.out.println(measure(BraggConfig.load(null, overrides)).line());
    }

    static final String RESULT_PREFIX = "samples_per_s ";

    /**
     * Medians over the second half of the steps.
     *
     * @param samplesPerSec training samples/s of the whole job
     * @param computeMs     rank 0's step time outside that wait (forward, backward, update), ms a step
     * @param commMs        rank 0's wait for the gradient all-reduce after the backward, ms a step
     */
    record Result(double samplesPerSec, double computeMs, double commMs) {
        String line() {
            return String.format(Locale.ROOT, RESULT_PREFIX + "%.3f compute_ms %.3f comm_ms %.3f", samplesPerSec,
                    computeMs, commMs);
        }

        static Result parse(String line) {
            String[] f = line.trim().split(" ");
            return new Result(Double.parseDouble(f[1]), Double.parseDouble(f[3]), Double.parseDouble(f[5]));
        }
    }

    /** Trains with {@code c} on the master it names (or the one spark-submit gave); the medians over the second half of its steps. */
    static Result measure(BraggConfig c) throws java.io.IOException {
        SparkSession spark = SparkSessions.getOrCreate("bragg bench scaling", TrainCommand.sparkConf(c));
        try {
            ProgressListener quiet = m -> { };
            TrainJob.Outcome o = TrainJob.run(spark, c, quiet);
            List<StepMetrics> all = o.result().metrics();
            if (all.size() < MIN_STEPS) {
                throw new IllegalStateException("the probe ran " + all.size() + " steps, fewer than " + MIN_STEPS);
            }
            List<StepMetrics> timed = all.subList(all.size() / 2, all.size());   // the second half: warm executors
            return new Result(median(timed.stream().mapToDouble(StepMetrics::samplesPerSec).toArray()),
                    median(timed.stream().mapToDouble(StepMetrics::computeMs).toArray()),
                    median(timed.stream().mapToDouble(StepMetrics::commMs).toArray()));
        } finally {
            spark.stop();
        }
    }

    private static double median(double[] v) {
        double[] s = v.clone();
        Arrays.sort(s);
        return s[s.length / 2];
    }
}
