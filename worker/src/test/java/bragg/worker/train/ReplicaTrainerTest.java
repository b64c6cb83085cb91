package bragg.worker.train;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import bragg.worker.collective.CollectiveConfig;
import bragg.worker.collective.PeerAddress;
import bragg.worker.collective.RingCollective;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.deeplearning4j.nn.graph.ComputationGraph;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.dataset.MultiDataSet;

/** The replica loop with replicas as threads joined by a real TCP ring. */
class ReplicaTrainerTest {
    static final byte[] SECRET = "train-test-secret-0123456789".getBytes();

    @TempDir
    Path tmp;

    /** Runs n replicas on shards of {@code count} samples; returns each rank's final params. */
    static List<INDArray> runReplicas(int n, int count, TrainConfig cfg) throws Exception {
        List<ServerSocket> ls = new ArrayList<>();
        List<PeerAddress> peers = new ArrayList<>();
        for (int r = 0; r < n; r++) {
            ls.add(RingCollective.openListener());
            peers.add(new PeerAddress(r, "127.0.0.1", ls.get(r).getLocalPort()));
        }
        ExecutorService pool = Executors.newFixedThreadPool(n);
        try {
            List<Future<INDArray>> fs = new ArrayList<>();
            for (int r = 0; r < n; r++) {
                int rank = r;
                fs.add(pool.submit(() -> {
                    LocalShard shard = TinyModels.shard(count, n, rank);
                    ComputationGraph g = TinyModels.graph(cfg, cfg.stepsPerEpoch(shard.size()) * cfg.epochs());
                    try (RingCollective c = RingCollective.connect(rank, peers, SECRET, ls.get(rank), CollectiveConfig.DEFAULT)) {
                        new ReplicaTrainer(cfg, 1, "test", Map.of()).train(g, shard, c, ParameterCheck.SINGLE);
                    }
                    return g.params().dup();
                }));
            }
            List<INDArray> out = new ArrayList<>();
            for (Future<INDArray> f : fs) {
                out.add(f.get(120, TimeUnit.SECONDS));
            }
            return out;
        } finally {
            pool.shutdownNow();
        }
    }

    static double relDiff(INDArray a, INDArray b) {
        return a.sub(b).norm2Number().doubleValue() / a.norm2Number().doubleValue();
    }

    private TrainConfig cfg(String dir) {
        // No shuffle: rank r's step s then holds global samples {(s*b + i)*n + r}, whose union over
        // ranks is exactly the single replica's batch of 2b at step s.
        return TrainConfig.defaults(dir).withShuffle(false).withEpochs(1).withBatch(4, 1).withCheckpointEvery(1000);
    }

    /** 16 values a bucket: the MLP's 195-value gradient in 13 buckets, on the communication thread. */
    static final BucketSchedule SMALL_BUCKETS = new BucketSchedule(16, true);

    @Test
    void twoReplicasOfBatchBEqualOneReplicaOfBatch2B() throws Exception {
        twoReplicasOfBatchBEqualOneReplicaOfBatch2B(BucketSchedule.DEFAULT);
    }

    @Test
    void twoReplicasOfBatchBInOverlappedBucketsEqualOneReplicaOfBatch2B() throws Exception {
        twoReplicasOfBatchBEqualOneReplicaOfBatch2B(SMALL_BUCKETS);
    }

    private void twoReplicasOfBatchBEqualOneReplicaOfBatch2B(BucketSchedule buckets) throws Exception {
        TrainConfig one = cfg(tmp.resolve("one").toString()).withBatch(8, 1).withBuckets(buckets);
        TrainConfig two = cfg(tmp.resolve("two").toString()).withBatch(4, 1).withBuckets(buckets);
        // 160 samples: 20 steps of 8 on one replica, 20 steps of 4 on each of two.
        INDArray p1 = runReplicas(1, 160, one).get(0);
        List<INDArray> p2 = runReplicas(2, 160, two);
        assertEquals(0.0, relDiff(p2.get(0), p2.get(1)), "the two replicas must hold identical parameters");
        double d = relDiff(p1, p2.get(0));
        assertTrue(d < 1e-5, "2 x b vs 1 x 2b relative difference " + d);
        assertTrue(relDiff(p1, TinyModels.graph(one, 20).params()) > 1e-3, "training must have moved the parameters");
    }

    @Test
    void accumulationOfTwoMicroStepsEqualsOneBatchOfTwiceTheSize() throws Exception {
        INDArray big = runReplicas(1, 160, cfg(tmp.resolve("big").toString()).withBatch(8, 1)).get(0);
        INDArray acc = runReplicas(1, 160, cfg(tmp.resolve("acc").toString()).withBatch(4, 2)).get(0);
        double d = relDiff(big, acc);
        assertTrue(d < 1e-5, "accumulation 2 x 4 vs batch 8 relative difference " + d);
    }

    @Test
    void singleReplicaMatchesDl4jFit() throws Exception {
        TrainConfig c = cfg(tmp.resolve("fit").toString()).withBatch(8, 1);
        c = new TrainConfig(c.seed(), 1, 8, 1, c.learningRate(), c.warmupSteps(), 0, c.weightDecay(), c.beta1(),
                c.beta2(), c.epsilon(), 0.0, 1000, 0, c.checkpointDir(), false, FaultInjection.NONE, c.buckets());
        INDArray ours = runReplicas(1, 160, c).get(0);
        ComputationGraph ref = TinyModels.graph(c, 20);
        LocalShard all = TinyModels.shard(160, 1, 0);
        int[] order = new int[160];
        for (int i = 0; i < 160; i++) {
            order[i] = i;
        }
        for (int s = 0; s < 20; s++) {
            MultiDataSet mb = all.batch(order, s * 8, 8);
            ref.fit(mb);
        }
        double d = relDiff(ref.params(), ours);
        assertTrue(d < 1e-5, "our step vs DL4J fit() relative difference " + d);
    }

    @Test
    void resumeFromCheckpointEqualsUninterrupted() throws Exception {
        resumeFromCheckpointEqualsUninterrupted(BucketSchedule.DEFAULT);
    }

    @Test
    void resumeInOverlappedBucketsEqualsUninterrupted() throws Exception {
        resumeFromCheckpointEqualsUninterrupted(SMALL_BUCKETS);
    }

    private void resumeFromCheckpointEqualsUninterrupted(BucketSchedule buckets) throws Exception {
        TrainConfig base = cfg(tmp.resolve("a").toString()).withShuffle(true).withEpochs(2).withCheckpointEvery(5)
                .withBuckets(buckets);
        INDArray straight = runReplicas(2, 64, base).get(0);
        TrainConfig faulty = base.withCheckpointDir(tmp.resolve("b").toString())
                .withFault(new FaultInjection(1, 1, 7));
        // Attempt 1 dies at step 7 of rank 1 (the ring fails the other rank too) ...
        Exception e = assertThrows(Exception.class, () -> runReplicas(2, 64, faulty));
        assertTrue(String.valueOf(e.getMessage()).contains("rank"), e.getMessage());
        assertEquals(List.of(5L), new CheckpointStore(faulty.checkpointDir()).steps());
        // ... a stray temporary file from a crashed write must be ignored ...
        Files.writeString(tmp.resolve("b").resolve("_tmp-ckpt-0000000006.zip-x"), "partial");
        // ... attempt 2 resumes at step 5 and ends where the uninterrupted run ended.
        INDArray resumed = runReplicas(2, 64, faulty.withFault(new FaultInjection(3, 1, 7))).get(0);
        assertEquals(0.0, relDiff(straight, resumed), "resumed run must match the uninterrupted one");
    }

    @Test
    void corruptCheckpointIsAnErrorNamingTheFile() throws Exception {
        Path dir = tmp.resolve("c");
        Files.createDirectories(dir);
        Files.write(dir.resolve("ckpt-0000000005.zip"), new byte[] {'P', 'K', 3, 4, 1, 2});
        Exception e = assertThrows(Exception.class, () -> new CheckpointStore(dir.toString()).latest());
        assertTrue(e.getMessage().contains("ckpt-0000000005.zip"), e.getMessage());
    }

    @Test
    void tooSmallAShardNamesTheKeys() {
        IllegalArgumentException e2 = assertThrows(IllegalArgumentException.class,
                () -> TrainConfig.defaults("/tmp/x").withBatch(64, 2).stepsPerEpoch(100));
        assertTrue(e2.getMessage().contains("100 samples") && e2.getMessage().contains("bragg.train.batch-size 64")
                && e2.getMessage().contains("bragg.train.accumulation-steps 2"), e2.getMessage());
    }
}
