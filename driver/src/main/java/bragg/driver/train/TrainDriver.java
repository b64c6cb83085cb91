package bragg.driver.train;

import bragg.worker.train.CheckpointStore;
import bragg.worker.train.StepMetrics;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.apache.spark.SparkConf;
import org.apache.spark.SparkContext;
import org.apache.spark.api.java.JavaPairRDD;
import org.apache.spark.api.java.JavaRDD;
import org.apache.spark.rdd.RDD;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import scala.reflect.ClassTag;
import scala.reflect.ClassTag$;

/**
 * Data-parallel training as one Spark barrier stage, top to bottom: plan N equal shards, run the
 * barrier stage (every task a replica; see {@link ReplicaTask}), and when it fails run it again:
 * Spark does not retry a failed barrier result stage (the job aborts), so this loop does, and every
 * replica of the next attempt resumes from the newest complete checkpoint.
 */
public final class TrainDriver {
    private static final Logger LOG = LoggerFactory.getLogger(TrainDriver.class);
    /** Spark's default barrier timeout, one year: a hung replica would hold the cluster that long. */
    static final long SPARK_DEFAULT_BARRIER_TIMEOUT_S = 365L * 24 * 3600;

    private TrainDriver() {
    }

    /**
     * What training produced.
     *
     * @param modelZip rank 0's final model (DL4J zip, no updater state)
     * @param metrics  one row per optimizer step, from step 0 (resumed attempts keep the earlier rows)
     * @param failures why each failed attempt failed, in order (empty when the first one succeeded)
     */
    public record Result(byte[] modelZip, List<StepMetrics> metrics, int attempts, List<String> failures, long steps,
                         long paramHash, ShardPlanner.Plan plan, long resumedFromStep) {
    }

    /**
     * Trains on {@code rows} (shard rows with id, label and pattern), planned by
     * {@link ShardPlanner#plan} for {@code plan.ranks()} barrier tasks, at most {@code maxAttempts} times.
     *
     * @param onStep receives rank 0's step metrics live, each step once, on a driver thread
     */
    public static Result run(Dataset<Row> rows, ShardPlanner.Plan plan, int maxAttempts, ReplicaSpec spec,
                             java.util.function.Consumer<StepMetrics> onStep) throws java.io.IOException {
        try (MetricsChannel channel = MetricsChannel.open(rows.sparkSession().sparkContext().getConf(), onStep)) {
            Result r = run(rows, plan, maxAttempts, spec, channel.endpoint());
            try {
                channel.awaitStep(r.steps() - 1, 2_000);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            return r;
        }
    }

    private static Result run(Dataset<Row> rows, ShardPlanner.Plan plan, int maxAttempts, ReplicaSpec spec,
                              MetricsChannel.Endpoint progress) {
        SparkContext sc = rows.sparkSession().sparkContext();
        checkBarrierTimeout(sc.getConf());
        if (maxAttempts < 1) {
            throw new IllegalArgumentException("bragg.train.max-attempts must be >= 1, found " + maxAttempts);
        }
        int replicas = plan.ranks();
        // Fail on the driver, before any task starts, when a shard cannot fill one step.
        int stepsPerEpoch = spec.train().stepsPerEpoch((int) plan.perRank());
        LOG.info("training {} samples on {} replicas: {} per replica ({} repeated to even the shards), {} steps per epoch",
                plan.samples(), replicas, plan.perRank(), plan.wrapped(), stepsPerEpoch);
        JavaPairRDD<Long, ShardSample> shards = ShardPlanner.partition(rows, plan);
        ClassTag<ReplicaOutcome> tag = ClassTag$.MODULE$.apply(ReplicaOutcome.class);
        List<String> failures = new ArrayList<>();
        CheckpointStore checkpoints = checkpoints(sc, spec);
        int fruitless = 0;   // attempts in a row that failed without writing a new checkpoint
        for (int attempt = 1; ; attempt++) {
            JobSecret secret = JobSecret.forAttempt(sc.getConf(), sc.applicationId(), attempt);
            String group = "bragg-train-" + sc.applicationId() + "-attempt-" + attempt;
            sc.setJobGroup(group, "bragg train: " + replicas + " replicas x " + stepsPerEpoch + " steps/epoch x "
                    + spec.train().epochs() + " epochs, attempt " + attempt, true);
            LOG.info("attempt {}: barrier stage of {} replicas, transport {}, ring secret {}", attempt,
                    replicas, spec.transport(), secret.source());
            long before = newestStep(checkpoints);
            TaskFailures taskFailures = new TaskFailures(group);
            sc.addSparkListener(taskFailures);
            try {
                // barrier(): Spark starts all N tasks together or none, and gives them allGather.
                RDD<ReplicaOutcome> out = shards.rdd().barrier().mapPartitions(new ReplicaTask(spec, secret, attempt, progress), false, tag);
                List<ReplicaOutcome> outcomes = new JavaRDD<>(out, tag).collect();
                return result(outcomes, replicas, attempt, failures, plan);
            } catch (Exception e) {
                // The listener bus delivers task ends asynchronously; give it a moment to catch up.
                waitForListenerBus(sc);
                String cause = cause(taskFailures);
                String why = cause != null ? cause : firstLine(e);
                long after = newestStep(checkpoints);
                boolean progressed = after > before;
                fruitless = progressed ? 0 : fruitless + 1;
                failures.add("attempt " + attempt + ": " + why + (progressed ? " (after checkpointing step " + after + ")"
                        : " (no new checkpoint)"));
                if (fruitless >= maxAttempts) {
                    throw new IllegalStateException("training failed: " + fruitless + " attempt(s) in a row ended without a "
                            + "new checkpoint (bragg.train.max-attempts = " + maxAttempts + "):\n  "
                            + String.join("\n  ", failures), e);
                }
                LOG.warn("attempt {} failed{}: {}; resubmitting ({} of {} attempts in a row without progress), the replicas "
                        + "resume from the newest checkpoint in {}", attempt, progressed ? " after progress" : "", why,
                        fruitless, maxAttempts, spec.train().checkpointDir());
            } finally {
                sc.removeSparkListener(taskFailures);
                sc.clearJobGroup();
            }
        }
    }

    /** The job's checkpoint folder, read with the Hadoop conf Spark gives the driver (spark.hadoop.*). */
    private static CheckpointStore checkpoints(SparkContext sc, ReplicaSpec spec) {
        try {
            return new CheckpointStore(spec.train().checkpointDir(), sc.hadoopConfiguration(), 1);
        } catch (java.io.IOException e) {
            throw new IllegalArgumentException("bragg.train.checkpoint-dir " + spec.train().checkpointDir()
                    + " cannot be opened: " + e.getMessage(), e);
        }
    }

    /** The step of the newest checkpoint file, or -1; progress is a newer one after an attempt. */
    private static long newestStep(CheckpointStore store) {
        try {
            List<Long> steps = store.steps();
            return steps.isEmpty() ? -1 : steps.get(steps.size() - 1);
        } catch (java.io.IOException e) {
            LOG.warn("cannot list the checkpoints in {}: {}", store.dir(), e.getMessage());
            return -1;
        }
    }

    private static Result result(List<ReplicaOutcome> outcomes, int replicas, int attempt, List<String> failures,
                                 ShardPlanner.Plan plan) {
        if (outcomes.size() != replicas) {
            throw new IllegalStateException("the barrier stage returned " + outcomes.size() + " replicas, expected " + replicas);
        }
        ReplicaOutcome zero = outcomes.stream().filter(o -> o.rank == 0).findFirst()
                .orElseThrow(() -> new IllegalStateException("no result from rank 0"));
        for (ReplicaOutcome o : outcomes) {
            if (o.steps != zero.steps || o.paramHash != zero.paramHash) {
                throw new IllegalStateException("replica " + o.rank + " ended at step " + o.steps + " with parameter hash "
                        + Long.toHexString(o.paramHash) + ", rank 0 at step " + zero.steps + " with "
                        + Long.toHexString(zero.paramHash));
            }
        }
        List<StepMetrics> metrics = Arrays.stream(zero.metrics).map(StepMetrics::parseCsv).toList();
        return new Result(zero.modelZip, metrics, attempt, List.copyOf(failures), zero.steps, zero.paramHash, plan,
                zero.resumedFromStep);
    }

    /**
     * A hung replica must fail the stage, not hold the cluster for Spark's default year. The
     * timeout is read by the barrier coordinator when the SparkContext starts, so it has to be in
     * the conf by then (bin/bragg and the jobs set it from bragg.train.barrier-timeout).
     */
    static void checkBarrierTimeout(SparkConf conf) {
        long s = conf.getTimeAsSeconds("spark.barrier.sync.timeout", SPARK_DEFAULT_BARRIER_TIMEOUT_S + "s");
        if (s >= SPARK_DEFAULT_BARRIER_TIMEOUT_S) {
            throw new IllegalStateException("spark.barrier.sync.timeout is " + s + " s (Spark's default of one year): a "
                    + "hung replica would hold the cluster that long. Set it (or bragg.train.barrier-timeout) before the "
                    + "SparkContext starts, e.g. --conf spark.barrier.sync.timeout=600s");
        }
    }

    /** How long a failed attempt waits for the failed replica's own task end after its neighbours' echoes. */
    private static final long CAUSE_WAIT_MS = 3_000;

    /** The failed replica's own error when it arrives in time, else the first echo (see TaskFailures#awaitCause). */
    private static String cause(TaskFailures failures) {
        try {
            return failures.awaitCause(CAUSE_WAIT_MS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return failures.first();
        }
    }

    private static void waitForListenerBus(SparkContext sc) {
        try {
            sc.listenerBus().waitUntilEmpty(5_000);
        } catch (java.util.concurrent.TimeoutException | RuntimeException e) {
            LOG.debug("listener bus did not drain: {}", e.getMessage());
        }
    }

    private static String firstLine(Throwable e) {
        Throwable t = e;
        while (t.getCause() != null && t.getMessage() == null) {
            t = t.getCause();
        }
        String m = String.valueOf(t.getMessage());
        int nl = m.indexOf('\n');
        return nl < 0 ? m : m.substring(0, nl);
    }
}
