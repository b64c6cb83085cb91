package bragg.worker.train;

import static bragg.worker.train.OverlapModels.BATCH;
import static bragg.worker.train.OverlapModels.batch;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;
import static org.junit.jupiter.api.Assertions.assertTrue;

import bragg.worker.collective.Collective;
import bragg.worker.collective.CollectiveConfig;
import bragg.worker.collective.Compression;
import bragg.worker.collective.HierarchicalCollective;
import bragg.worker.collective.PeerAddress;
import bragg.worker.collective.RingCollective;
import bragg.worker.model.layers.BackwardListener;
import bragg.worker.model.layers.BraggLayer;
import java.io.IOException;
import java.net.ServerSocket;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;
import java.util.function.UnaryOperator;
import org.deeplearning4j.nn.api.Layer;
import org.deeplearning4j.nn.graph.ComputationGraph;
import org.junit.jupiter.api.Test;
import org.nd4j.linalg.dataset.MultiDataSet;
import org.nd4j.linalg.factory.Nd4j;

/** The gradient all-reduce in buckets during the backward, over a real ring of replicas as threads. */
class OverlapTest {
    static final byte[] SECRET = "overlap-test-secret-0123456789".getBytes();
    /** 256 values a bucket: the tiny vit's 8 K-value gradient in about 30 buckets. */
    static final BucketSchedule SMALL = new BucketSchedule(256, true);
    static final BucketSchedule SMALL_AFTER = new BucketSchedule(256, false);

    /** What a test adds to each rank once its step is built: e.g. a listener on one layer. */
    interface Hook {
        void apply(ComputationGraph g, RecordingCollective rec, ReplicaStep step);
    }

    record Run(float[] params, List<String> calls, int buckets, int[] early) {
    }

    /** Joins rank r to the others: what each test's replicas all-reduce over. */
    interface Transport {
        Collective connect(int rank) throws Exception;
    }

    /** A ring of n ranks on 127.0.0.1, chunks of 100 values (so a bucket is several frames). */
    static Transport ring(int n, Compression comp) throws IOException {
        List<ServerSocket> ls = new ArrayList<>();
        List<PeerAddress> peers = new ArrayList<>();
        for (int r = 0; r < n; r++) {
            ls.add(RingCollective.openListener());
            peers.add(new PeerAddress(r, "127.0.0.1", ls.get(r).getLocalPort()));
        }
        CollectiveConfig cc = CollectiveConfig.DEFAULT.withCompression(comp).withChunkFloats(100);
        return rank -> RingCollective.connect(rank, peers, SECRET, ls.get(rank), cc);
    }

    /** The two-level collective, rank r on loopback host 127.0.0.{hostOf[r]}. */
    static Transport hierarchical(int[] hostOf) throws IOException {
        List<ServerSocket> localL = new ArrayList<>();
        List<ServerSocket> crossL = new ArrayList<>();
        List<PeerAddress> localP = new ArrayList<>();
        List<PeerAddress> crossP = new ArrayList<>();
        for (int r = 0; r < hostOf.length; r++) {
            String host = "127.0.0." + hostOf[r];
            localL.add(RingCollective.openListener(host));
            crossL.add(RingCollective.openListener(host));
            localP.add(new PeerAddress(r, host, localL.get(r).getLocalPort()));
            crossP.add(new PeerAddress(r, host, crossL.get(r).getLocalPort()));
        }
        CollectiveConfig cc = CollectiveConfig.DEFAULT.withChunkFloats(100);
        return rank -> HierarchicalCollective.connect(rank, localP, crossP, SECRET, localL.get(rank), crossL.get(rank), cc);
    }

    static List<Run> train(int n, Compression comp, BucketSchedule buckets, int micro, int steps) throws Exception {
        return train(n, ring(n, comp), buckets, micro, steps, OverlapModels::vit, (g, rec, step) -> { });
    }

    static List<Run> train(int n, Compression comp, BucketSchedule buckets, int micro, int steps,
                           Supplier<ComputationGraph> model, Hook hook) throws Exception {
        return train(n, ring(n, comp), buckets, micro, steps, model, hook);
    }

    /** n ranks joined by {@code transport}, each {@code steps} steps of A = micro on its own data. */
    static List<Run> train(int n, Transport transport, BucketSchedule buckets, int micro, int steps,
                           Supplier<ComputationGraph> model, Hook hook) throws Exception {
        ExecutorService pool = Executors.newFixedThreadPool(n);
        try {
            List<Future<Run>> fs = new ArrayList<>();
            for (int r = 0; r < n; r++) {
                int rank = r;
                fs.add(pool.submit(() -> {
                    ComputationGraph g = model.get();
                    try (Collective c = transport.connect(rank);
                         RecordingCollective rec = new RecordingCollective(c, -1);
                         ReplicaStep step = new ReplicaStep(g, rec, 1.0, BATCH, micro, buckets)) {
                        hook.apply(g, rec, step);
                        int[] early = new int[steps];
                        for (int s = 0; s < steps; s++) {
                            long st = s;
                            step.run(m -> batch(rank, st, m), s, 0);
                            early[s] = step.overlappedBuckets();
                        }
                        return new Run(g.params().dup().data().asFloat(), rec.calls(), step.buckets(), early);
                    }
                }));
            }
            List<Run> out = new ArrayList<>();
            for (Future<Run> f : fs) {
                out.add(f.get(300, TimeUnit.SECONDS));
            }
            return out;
        } finally {
            pool.shutdownNow();
        }
    }

    /** Wraps the listener of bragg layer {@code name} (what ReplicaStep attached) with {@code wrap}. */
    static void wrapListener(ComputationGraph g, String name, UnaryOperator<BackwardListener> wrap) {
        BraggLayer<?> b = (BraggLayer<?>) g.getLayer(name);
        b.setBackwardListener(wrap.apply(b.backwardListener()));
    }

    /**
     * When the patch embedding (the last bragg layer of the backward) starts, the layers above it are
     * done, so the comm thread must already have reduced a bucket of this step. Holding the backward
     * there until one has returned proves the overlap; without it the wait would time out. Records
     * into {@code reducedInTime}, per rank and step, whether one returned.
     */
    static Hook holdAtPatchUntilABucketReturned(List<Boolean> reducedInTime) {
        return (g, rec, step) -> wrapListener(g, "patch", inner -> new BackwardListener() {
            int backwards;

            @Override
            public void starting(Layer layer) {
                inner.starting(layer);
                try {
                    reducedInTime.add(rec.awaitReturned(backwards++ * step.buckets() + 1, 60_000));
                } catch (InterruptedException e) {
                    throw new IllegalStateException(e);
                }
            }

            @Override
            public void finished(Layer layer) {
                inner.finished(layer);
            }
        });
    }

    @Test
    void bucketsAreReducedWhileTheBackwardStillRunsAndGiveTheBitsOfTheReduceAfterIt() throws Exception {
        int steps = 3;
        List<Boolean> reducedInTime = Collections.synchronizedList(new ArrayList<>());
        Hook gate = holdAtPatchUntilABucketReturned(reducedInTime);
        List<Run> during = train(2, Compression.NONE, SMALL, 1, steps, OverlapModels::vit, gate);
        assertEquals(List.of(true, true, true, true, true, true), reducedInTime,
                "each rank, each step: a bucket came back from the ring before the patch embedding's backward (the last) began");
        for (Run r : during) {
            for (int e : r.early()) {
                assertTrue(e >= 1 && e < r.buckets(), "buckets begun during the backward: " + Arrays.toString(r.early()));
            }
        }
        List<Run> after = train(2, Compression.NONE, SMALL_AFTER, 1, steps);
        assertArrayEquals(new int[steps], after.get(0).early(), "without overlap no bucket goes out during the backward");
        assertArrayEquals(after.get(0).params(), during.get(0).params(), "overlapped and after the backward: the same bits");
        assertArrayEquals(during.get(0).params(), during.get(1).params(), "every rank holds the same bits");
        assertFalse(Arrays.equals(during.get(0).params(), OverlapModels.vit().params().data().asFloat()),
                "training must have moved the parameters");
    }

    @Test
    void everyRankReducesTheSameBucketsTopDownEveryStep() throws Exception {
        List<Run> runs = train(3, Compression.NONE, SMALL, 1, 3);
        int len = runs.get(0).params().length + 1;
        List<String> expected = new ArrayList<>();
        for (int s = 0; s < 3; s++) {
            for (int[] b : SMALL.buckets(len)) {
                expected.add(b[0] + "+" + (b[1] - b[0]));
            }
        }
        assertTrue(runs.get(0).buckets() > 10, "the tiny vit must make many buckets, found " + runs.get(0).buckets());
        for (Run r : runs) {
            assertEquals(expected, r.calls(), "every rank reduces the schedule's buckets, top down, every step");
            assertArrayEquals(runs.get(0).params(), r.params(), "every rank must hold the same parameters");
        }
    }

    @Test
    void overlapOnAndOffGiveTheSameBits() throws Exception {
        // 3 ranks: sums of three, whose rounding depends on the order; bf16: the rounding at each hop; A = 2: staging adds.
        assertArrayEquals(train(3, Compression.NONE, SMALL_AFTER, 1, 2).get(1).params(),
                train(3, Compression.NONE, SMALL, 1, 2).get(1).params(), "3 ranks, float32");
        assertArrayEquals(train(2, Compression.BF16, SMALL_AFTER, 2, 2).get(0).params(),
                train(2, Compression.BF16, SMALL, 2, 2).get(0).params(), "2 ranks, bf16, 2 micro-steps");
    }

    @Test
    void overHierarchicalCollectivesOverlapOnAndOffGiveTheSameBitsOnEveryRank() throws Exception {
        int[] hostOf = {1, 1, 2};   // two ranks on 127.0.0.1, one on 127.0.0.2
        Hook none = (g, rec, step) -> { };
        List<Run> after = train(3, hierarchical(hostOf), SMALL_AFTER, 1, 2, OverlapModels::vit, none);
        List<Run> during = train(3, hierarchical(hostOf), SMALL, 1, 2, OverlapModels::vit, none);
        for (int r = 0; r < 3; r++) {
            assertArrayEquals(after.get(r).params(), during.get(r).params(), "rank " + r + ": overlap on and off");
            assertArrayEquals(during.get(0).params(), during.get(r).params(), "rank " + r + " holds rank 0's bits");
        }
    }

    @Test
    void withTwoRanksBucketsGiveTheBitsOfOneAllReduce() throws Exception {
        // Two float32 values have one sum whichever rank adds: any bucketing matches the single range.
        assertArrayEquals(train(2, Compression.NONE, BucketSchedule.OFF, 1, 2).get(0).params(),
                train(2, Compression.NONE, SMALL, 1, 2).get(0).params());
    }

    @Test
    void dl4jLayersAboveAndBelowTheBraggLayersAreReducedToo() throws Exception {
        // The mixed graph's 1x1 convolution is DL4J's and the last of the backward: no report covers it, so
        // its gradient must wait for the end of the backward. 2 ranks: any bucketing gives the bits of one range.
        BucketSchedule tiny = new BucketSchedule(64, true);
        List<Boolean> reducedInTime = Collections.synchronizedList(new ArrayList<>());
        List<Run> one = train(2, Compression.NONE, BucketSchedule.OFF, 1, 3, OverlapModels::mixed, (g, rec, step) -> { });
        List<Run> buckets = train(2, Compression.NONE, tiny, 1, 3, OverlapModels::mixed,
                holdAtPatchUntilABucketReturned(reducedInTime));
        assertTrue(buckets.get(0).buckets() > 5, "buckets: " + buckets.get(0).buckets());
        assertEquals(List.of(true, true, true, true, true, true), reducedInTime, "buckets went out during the backward");
        assertArrayEquals(one.get(0).params(), buckets.get(0).params(), "the bits of one all-reduce after the backward");
        assertArrayEquals(buckets.get(0).params(), buckets.get(1).params(), "every rank holds the same bits");
    }

    @Test
    void aFailedBucketFailsTheStepNamingBucketAndCause() {
        ComputationGraph g = OverlapModels.vit();
        RecordingCollective rec = new RecordingCollective(new AgreeableCollective(), 2);
        try (ReplicaStep step = new ReplicaStep(g, rec, 1.0, BATCH, 1, SMALL)) {
            IOException e = assertTimeoutPreemptively(Duration.ofSeconds(60),
                    () -> assertThrows(IOException.class, () -> step.run(m -> batch(0, 0, m), 0, 0)));
            assertTrue(e.getMessage().contains("bucket 2 of " + step.buckets())
                    && e.getMessage().contains("injected failure of call 2"), e.getMessage());
            assertEquals("injected failure of call 2", e.getCause().getMessage(), "the collective's own error is the cause");
        }
    }

    @Test
    void aBackwardThatFailsAfterBucketsWentOutEndsTheStepWithItsOwnErrorAndLeavesNoCallBehind() {
        ComputationGraph g = OverlapModels.vit();
        RecordingCollective rec = new RecordingCollective(new AgreeableCollective(), -1);
        IllegalStateException injected = new IllegalStateException("injected backward failure");
        try (ReplicaStep step = new ReplicaStep(g, rec, 1.0, BATCH, 1, SMALL)) {
            int[] backwards = {0};
            wrapListener(g, "patch", inner -> new BackwardListener() {
                @Override
                public void starting(Layer layer) {
                    inner.starting(layer);
                    if (backwards[0]++ == 0) {
                        try {
                            assertTrue(rec.awaitReturned(1, 30_000), "a bucket went out before the failure");
                        } catch (InterruptedException e) {
                            throw new IllegalStateException(e);
                        }
                        throw injected;
                    }
                }

                @Override
                public void finished(Layer layer) {
                    inner.finished(layer);
                }
            });
            RuntimeException e = assertTimeoutPreemptively(Duration.ofSeconds(60),
                    () -> assertThrows(RuntimeException.class, () -> step.run(m -> batch(0, 0, m), 0, 0)));
            assertSame(injected, e, "the backward's own error, not the comm thread's wake-up");
            List<String> lost = rec.calls();
            List<String> schedule = new ArrayList<>();
            for (int[] b : SMALL.buckets(Math.toIntExact(g.numParams()) + 1)) {
                schedule.add(b[0] + "+" + (b[1] - b[0]));
            }
            assertTrue(!lost.isEmpty() && lost.size() < schedule.size() && lost.equals(schedule.subList(0, lost.size())),
                    "the lost step reduced the first buckets of the schedule only: " + lost);
            // The step is lost, not the replica: the next one makes exactly the schedule's calls.
            assertTimeoutPreemptively(Duration.ofSeconds(60), () -> step.run(m -> batch(0, 1, m), 1, 0));
            assertEquals(schedule, rec.calls().subList(lost.size(), rec.calls().size()));
        }
    }

    @Test
    void aBadBatchEndsTheStepWithTheModelsOwnError() {
        ComputationGraph g = OverlapModels.vit();
        try (ReplicaStep step = new ReplicaStep(g, new AgreeableCollective(), 1.0, BATCH, 1, SMALL)) {
            MultiDataSet wrong = new MultiDataSet(Nd4j.zeros(BATCH, 1, 12, 12), batch(0, 0, 0).getLabels(0));
            RuntimeException e = assertTimeoutPreemptively(Duration.ofSeconds(60),
                    () -> assertThrows(RuntimeException.class, () -> step.run(m -> wrong, 0, 0)));
            assertTrue(String.valueOf(e.getMessage()).contains("12"), "the model's own shape error: " + e.getMessage());
            assertTimeoutPreemptively(Duration.ofSeconds(60), () -> step.run(m -> batch(0, 1, m), 1, 0));
        }
    }
}
