package bragg.driver.train;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import bragg.driver.spark.SparkSessions;
import bragg.worker.collective.Compression;
import bragg.worker.train.FaultInjection;
import bragg.worker.train.TrainConfig;
import java.io.ByteArrayInputStream;
import java.nio.file.Path;
import java.util.Map;
import org.apache.spark.SparkConf;
import org.apache.spark.sql.SparkSession;
import org.deeplearning4j.nn.graph.ComputationGraph;
import org.deeplearning4j.util.ModelSerializer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.nd4j.linalg.api.ndarray.INDArray;

/** The barrier training stage in local[4]: N equal shards, equivalence, recovery, bad config. */
class TrainDriverTest {
    static SparkSession spark;

    @TempDir
    Path tmp;

    @BeforeAll
    static void start() {
        spark = SparkSessions.getOrCreate("train-test", Map.of("spark.master", "local[4]", "spark.ui.enabled", "false",
                "spark.barrier.sync.timeout", "120s", "spark.sql.shuffle.partitions", "4"));
    }

    @AfterAll
    static void stop() {
        spark.stop();
    }

    private TrainConfig cfg(String dir, int batch) {
        // No shuffle: see ShardPlanner; N replicas of batch b then see what one replica of N*b sees.
        return TrainConfig.defaults(dir).withShuffle(false).withEpochs(1).withBatch(batch, 1).withCheckpointEvery(5);
    }

    /** Batch 4, 3 epochs, learning rate 0.03 after 2 warm-up steps, hashes compared every 5 steps. */
    private static TrainConfig learning(String dir) {
        TrainConfig d = TrainConfig.defaults(dir);
        return new TrainConfig(d.seed(), 3, 4, 1, 0.03, 2, d.minLrFraction(), d.weightDecay(), d.beta1(), d.beta2(),
                d.epsilon(), d.clipNorm(), 100, 5, dir, false, FaultInjection.NONE, d.buckets());
    }

    private static INDArray params(TrainDriver.Result r) throws Exception {
        ComputationGraph g = ModelSerializer.restoreComputationGraph(new ByteArrayInputStream(r.modelZip()), false);
        return g.params();
    }

    private static double relDiff(INDArray a, INDArray b) {
        return a.sub(b).norm2Number().doubleValue() / a.norm2Number().doubleValue();
    }

    private final java.util.List<bragg.worker.train.StepMetrics> live = new java.util.concurrent.CopyOnWriteArrayList<>();

    private TrainDriver.Result train(int replicas, int batch, int count, String transport, FaultInjection fault,
                                     int maxAttempts) throws java.io.IOException {
        return train(replicas, batch, count, transport, fault, maxAttempts, Compression.NONE);
    }

    private TrainDriver.Result train(int replicas, int batch, int count, String transport, FaultInjection fault,
                                     int maxAttempts, Compression compression) throws java.io.IOException {
        TrainConfig c = cfg(tmp.resolve("ck-" + replicas + "-" + transport + "-" + fault.step() + "-" + compression)
                .toString(), batch).withFault(fault);
        return train(c, replicas, count, transport, maxAttempts, compression);
    }

    private TrainDriver.Result train(TrainConfig c, int replicas, int count, String transport, int maxAttempts,
                                     Compression compression) throws java.io.IOException {
        ShardPlanner.Plan plan = ShardPlanner.plan(count, replicas);
        int steps = c.stepsPerEpoch((int) plan.perRank());
        live.clear();
        return TrainDriver.run(TrainFixtures.rows(spark, count), plan, maxAttempts,
                TrainFixtures.spec(c, steps, transport, compression), live::add);
    }

    @Test
    void twoReplicasOfBatchBEqualOneReplicaOfBatch2B() throws Exception {
        TrainDriver.Result two = train(2, 4, 160, "ring", FaultInjection.NONE, 1);
        TrainDriver.Result one = train(1, 8, 160, "ring", FaultInjection.NONE, 1);
        assertEquals(20, two.steps());
        assertEquals(20, one.steps());
        assertEquals(20, two.metrics().size());
        double d = relDiff(params(one), params(two));
        assertTrue(d < 1e-5, "2 x batch 4 vs 1 x batch 8 after 20 steps: relative difference " + d);
        // Training moved the parameters away from rank 0's initial ones.
        ComputationGraph init = new ComputationGraph(TrainFixtures.mlp(cfg("unused", 4), 20));
        init.init();
        assertTrue(relDiff(init.params(), params(two)) > 1e-3, "parameters did not move");
    }

    @Test
    void allGatherTransportTrainsTheSameModel() throws Exception {
        TrainDriver.Result ring = train(3, 4, 120, "ring", FaultInjection.NONE, 1);
        TrainDriver.Result gather = train(3, 4, 120, "allgather", FaultInjection.NONE, 1);
        // Sums are taken in another order (ring chain vs rank order): equal to float tolerance.
        double d = relDiff(params(ring), params(gather));
        assertTrue(d < 1e-5, "ring vs allgather: relative difference " + d);
    }

    /**
     * bf16 on the wire: the job's closing parameter-hash check passes (every rank holds the same
     * bits, or the job fails), and the model learns as with float32: held-out accuracy within
     * 0.05 of the float32 run's, on samples no replica trained on.
     */
    @Test
    void bf16OnTheWireKeepsRanksIdenticalAndLearnsAsFloat32Does() throws Exception {
        // 3 epochs of 20 steps at a learning rate that learns the clusters in that many steps;
        // parameter hashes compared every 5 steps and at the end.
        TrainDriver.Result f32 = train(learning(tmp.resolve("ck-f32").toString()), 3, 240, "ring", 1, Compression.NONE);
        TrainDriver.Result bf16 = train(learning(tmp.resolve("ck-bf16").toString()), 3, 240, "ring", 1, Compression.BF16);
        assertEquals(60, bf16.steps());
        assertEquals(f32.steps(), bf16.steps());
        ComputationGraph a = ModelSerializer.restoreComputationGraph(new ByteArrayInputStream(f32.modelZip()), false);
        ComputationGraph b = ModelSerializer.restoreComputationGraph(new ByteArrayInputStream(bf16.modelZip()), false);
        double accF32 = TrainFixtures.accuracy(a, 10_000, 600);
        double accBf16 = TrainFixtures.accuracy(b, 10_000, 600);
        System.out.println("TrainDriverTest bf16: held-out accuracy float32 " + accF32 + ", bf16 " + accBf16);
        assertTrue(accF32 > 0.8, "the float32 run must learn the 3 clusters first: held-out accuracy " + accF32);
        assertTrue(accBf16 >= accF32 - 0.05, "held-out accuracy bf16 " + accBf16 + " vs float32 " + accF32);
        double d = relDiff(a.params(), b.params());
        assertTrue(d > 0 && d < 0.05, "bf16 vs float32 parameters after " + bf16.steps() + " steps: relative difference " + d);
    }

    @Test
    void killedReplicaIsResumedFromTheCheckpointAndEndsWhereAnUninterruptedRunEnds() throws Exception {
        TrainDriver.Result clean = train(2, 4, 160, "ring", FaultInjection.NONE, 1);
        TrainDriver.Result hurt = train(2, 4, 160, "ring", new FaultInjection(1, 1, 7), 3);
        assertEquals(2, hurt.attempts(), hurt.failures().toString());
        assertTrue(hurt.failures().get(0).contains("InjectedFault") && hurt.failures().get(0).contains("step 7"),
                hurt.failures().toString());
        assertEquals(5, hurt.resumedFromStep(), "the newest checkpoint before step 7 is step 5");
        assertEquals(20, hurt.metrics().size(), "metrics of the resumed run cover every step once");
        assertEquals(hurt.metrics().stream().map(m -> m.step()).toList(), live.stream().map(m -> m.step()).toList(),
                "live progress shows every step once, in order");
        double d = relDiff(params(clean), params(hurt));
        assertTrue(d < 1e-6, "resumed vs uninterrupted: relative difference " + d);
    }

    @Test
    void unevenShardsWrapAroundSoEveryRankMakesTheSameSteps() throws Exception {
        // 50 samples on 4 ranks: 13 each, two samples used twice; batch 3 -> 4 steps per epoch everywhere.
        TrainDriver.Result r = train(4, 3, 50, "ring", FaultInjection.NONE, 1);
        assertEquals(13, r.plan().perRank());
        assertEquals(2, r.plan().wrapped());
        assertEquals(4, r.steps());
    }

    /** max-attempts counts attempts in a row without a new checkpoint: one that checkpointed is retried even at 1. */
    @Test
    void anAttemptThatCheckpointedBeforeFailingDoesNotUseUpTheBudget() throws Exception {
        TrainDriver.Result r = train(2, 4, 160, "ring", new FaultInjection(1, 1, 7), 1);
        assertEquals(2, r.attempts(), r.failures().toString());
        assertEquals(5, r.resumedFromStep());
        assertTrue(r.failures().get(0).startsWith("attempt 1: ") && r.failures().get(0).contains("step 7 of attempt 1")
                && r.failures().get(0).contains("after checkpointing step 5"), r.failures().toString());
    }

    /** A failure event of an earlier attempt's stage that arrives late is not taken for this attempt's. */
    @Test
    void anAttemptsSummaryShowsOnlyItsOwnTaskFailures() {
        TaskFailures second = new TaskFailures("app-attempt-2");
        second.jobStarted("app-attempt-1", java.util.List.of(3));
        second.jobStarted("app-attempt-2", java.util.List.of(4));
        second.taskFailed(3, "task 1: the first attempt's error");
        second.taskFailed(4, "task 0: the second attempt's error");
        assertEquals("task 0: the second attempt's error", second.first());
        second.jobStarted(null, java.util.List.of(5));
        second.taskFailed(5, "task 0: a job outside any group");
        assertEquals("task 0: the second attempt's error", second.first());
    }

    @Test
    void failingEveryAttemptStopsWithEachReason() throws Exception {
        IllegalStateException e = assertThrows(IllegalStateException.class,
                () -> train(2, 4, 64, "ring", new FaultInjection(1, 0, 1), 1));
        assertTrue(e.getMessage().contains("bragg.train.max-attempts = 1") && e.getMessage().contains("attempt 1"),
                e.getMessage());
    }

    @Test
    void tooFewSamplesAndEmptySetAreClearErrorsBeforeAnyTask() throws Exception {
        IllegalArgumentException few = assertThrows(IllegalArgumentException.class,
                () -> train(2, 32, 40, "ring", FaultInjection.NONE, 1));
        assertTrue(few.getMessage().contains("train.batch-size 32") && few.getMessage().contains("20 samples"), few.getMessage());
        IllegalArgumentException none = assertThrows(IllegalArgumentException.class, () -> ShardPlanner.plan(0, 2));
        assertTrue(none.getMessage().contains("empty"), none.getMessage());
    }

    @Test
    void sparksDefaultBarrierTimeoutIsRefused() throws Exception {
        IllegalStateException e = assertThrows(IllegalStateException.class,
                () -> TrainDriver.checkBarrierTimeout(new SparkConf(false)));
        assertTrue(e.getMessage().contains("spark.barrier.sync.timeout"), e.getMessage());
        TrainDriver.checkBarrierTimeout(new SparkConf(false).set("spark.barrier.sync.timeout", "10min"));
        // The constant is Spark's own default, so a conf that spells that default out is refused too.
        String sparksDefault = org.apache.spark.internal.config.package$.MODULE$.BARRIER_SYNC_TIMEOUT().defaultValueString();
        assertEquals(TrainDriver.SPARK_DEFAULT_BARRIER_TIMEOUT_S,
                new SparkConf(false).set("spark.barrier.sync.timeout", sparksDefault)
                        .getTimeAsSeconds("spark.barrier.sync.timeout"), "Spark's default is " + sparksDefault);
        assertThrows(IllegalStateException.class, () -> TrainDriver.checkBarrierTimeout(
                new SparkConf(false).set("spark.barrier.sync.timeout", sparksDefault)));
    }
}
