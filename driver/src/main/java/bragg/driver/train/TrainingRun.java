package bragg.driver.train;

import bragg.worker.collective.CollectiveConfig;
import bragg.worker.train.Optimizers;
import bragg.worker.train.StepMetrics;
import bragg.worker.train.TrainConfig;
import java.io.IOException;
import java.util.Map;
import java.util.function.Consumer;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.deeplearning4j.nn.conf.ComputationGraphConfiguration;

/**
 * One training run as {@code bragg train} and the bragg.ml estimators both start it: the shard
 * plan for N replicas, the model of the settings with the AdamW schedule over the run's steps, the
 * replicas' spec, then {@link TrainDriver}'s barrier stage. The callers differ only in where the
 * settings and the rows come from.
 */
public final class TrainingRun {
    private final Dataset<Row> rows;
    private final ShardPlanner.Plan plan;
    private final ReplicaSpec spec;
    private final int totalSteps;

    private TrainingRun(Dataset<Row> rows, ShardPlanner.Plan plan, ReplicaSpec spec, int totalSteps) {
        this.rows = rows;
        this.plan = plan;
        this.spec = spec;
        this.totalSteps = totalSteps;
    }

    /**
     * Plans the run; fails, before any task starts, when the settings do not fit the samples.
     *
     * @param rows    shard rows (id long, label int, target array&lt;float&gt;, pattern binary), all trained on
     * @param outputs K classes, or T targets when {@code model} has the regression head
     */
    public static TrainingRun prepare(Dataset<Row> rows, int replicas, TrainConfig train, ModelSettings model,
                                      int[] sampleShape, int outputs, String dtype, String transport,
                                      CollectiveConfig collective, String codeVersion, Map<String, String> provenance) {
        ShardPlanner.Plan plan = ShardPlanner.plan(rows.count(), replicas);
        int totalSteps = train.stepsPerEpoch((int) plan.perRank()) * train.epochs();
        ComputationGraphConfiguration conf = model.configuration(sampleShape, outputs);
        Optimizers.applyAdamW(conf, train, totalSteps);
        ReplicaSpec spec = new ReplicaSpec(conf.toJson(), train, sampleShape, outputs, model.regression(), dtype,
                transport, collective, codeVersion, provenance);
        return new TrainingRun(rows, plan, spec, totalSteps);
    }

    /** Optimizer steps of the whole run (every replica makes each one). */
    public int totalSteps() {
        return totalSteps;
    }

    public ShardPlanner.Plan plan() {
        return plan;
    }

    /** @param onStep receives rank 0's step metrics live, on a driver thread */
    public TrainDriver.Result run(int maxAttempts, Consumer<StepMetrics> onStep) throws IOException {
        return TrainDriver.run(rows, plan, maxAttempts, spec, onStep);
    }
}
