package bragg.jobs.cluster;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import bragg.driver.shards.Manifest;
import bragg.driver.score.Predictions;
import bragg.jobs.report.MetricsCsv;
import bragg.jobs.report.RunFolder;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.deeplearning4j.nn.graph.ComputationGraph;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;

/**
 * The application jar on a real multi-process Spark standalone cluster: a Master and two
 * Workers in their own JVMs on 127.0.0.1, each Worker running one 1-core executor, and the
 * jobs submitted with Spark's own SparkSubmit class, as a user would with bin/spark-submit:
 * generate, preprocess (tasks on both executors), train (one barrier replica per executor).
 * Runs in {@code mvn verify} (failsafe), after the shade plugin built jobs/target/bragg-app.jar.
 * Everything it writes stays in jobs/target/standalone-cluster-it (logs/ has every JVM's output).
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class StandaloneClusterIT {
    private static final int WORKERS = 2;
    private static final Duration JOB_TIMEOUT = Duration.ofMinutes(3);
    // 8x8 scan positions of 32x32 patterns, binned to 16x16: small enough for seconds, and
    // 8 slabs of 8 positions in 4 partitions so both executors get tasks.
    private static final int SCAN = 8;
    private static final int DETECTOR = 32;

    static Path dir;
    static AppJar jar;
    static StandaloneCluster cluster;

    @BeforeAll
    static void startCluster() throws IOException, InterruptedException {
        Path root = Path.of(System.getProperty("bragg.root.dir", ".")).toAbsolutePath().normalize();
        jar = AppJar.built(root);
        dir = root.resolve("jobs/target/standalone-cluster-it");
        cluster = StandaloneCluster.startForBuild(root, dir, WORKERS, false);
    }

    @AfterAll
    static void stopCluster() {
        if (cluster != null) cluster.close();
    }

    @Test
    @Order(1)
    void preprocessOfAGeneratedScanRunsOnBothExecutors() throws IOException, InterruptedException {
        Path raw = dir.resolve("scan");
        Submission gen = cluster.submit("generate", jar, Map.of(), List.of("generate", "4dstem", "--out", raw.toString(),
                "--scan", SCAN + "," + SCAN, "--detector", String.valueOf(DETECTOR), "--seed", "7", "--threads", "1"), JOB_TIMEOUT);
        assertEquals(0, gen.exitCode(), gen.outputTail(40));
        assertTrue(Files.isRegularFile(raw.resolve("scan.npy")), gen.outputTail(40));

        Path shards = dir.resolve("shards");
        Submission pre = cluster.submit("preprocess", jar, Map.of(), List.of("preprocess", raw.resolve("scan.npy").toString(),
                "--labels", raw.resolve("labels.npy").toString(), "--output", shards.toString(), "--bin", "2",
                "--slab-samples", "8", "--partitions", "4"), JOB_TIMEOUT);
        assertEquals(0, pre.exitCode(), pre.outputTail(60));

        Path file = shards.resolve(Manifest.FILE);
        Manifest m = Manifest.fromJson(Files.readString(file), file.toString());
        assertEquals(SCAN * SCAN, m.count(), "manifest count");
        assertArrayEquals(new int[]{1, DETECTOR / 2, DETECTOR / 2}, m.sampleShape(), "manifest sample_shape");
        assertEquals(SCAN * SCAN, m.countsPerLabel().values().stream().mapToLong(Long::longValue).sum(), "labelled rows " + m.countsPerLabel());

        EventLog log = pre.eventLog();
        TreeMap<String, Long> perExecutor = log.successfulTasksPerExecutor();
        assertEquals(WORKERS, log.executorsAdded().size(), "executors registered: " + log.executorsAdded());
        assertEquals(log.executorsAdded(), perExecutor.keySet(), "every executor ran tasks, successful tasks per executor: " + perExecutor + " (" + log.file() + ")");
    }

    @Test
    @Order(2)
    void trainRunsOneReplicaOnEachExecutorAndSavesTheModel() throws IOException, InterruptedException {
        Path file = dir.resolve("shards").resolve(Manifest.FILE);
        assertTrue(Files.isRegularFile(file), "the preprocess test writes the shards train reads: " + file);
        RunFolder run = new RunFolder(dir.resolve("run"));
        // A tiny vit on the plain-Java kernel: seconds per step on 1-core executors. 48 training
        // samples (right quarter held out) over 2 replicas, batches of 4: 6 steps.
        Submission train = cluster.submit("train", jar, Map.of(), List.of("train",
                "--set", "bragg.data.shards=" + file.getParent(), "--set", "bragg.data.holdout=0.25",
                "--set", "bragg.output.dir=" + run.dir(), "--set", "bragg.model.patch=4", "--set", "bragg.model.dim=16",
                "--set", "bragg.model.heads=2", "--set", "bragg.model.blocks=1", "--set", "bragg.train.replicas=" + WORKERS,
                "--set", "bragg.train.epochs=1", "--set", "bragg.train.batch-size=4", "--set", "bragg.train.checkpoint-every=3",
                "--set", "bragg.train.barrier-timeout=120s", "--set", "bragg.kernels.device=java"), JOB_TIMEOUT);
        assertEquals(0, train.exitCode(), train.outputTail(60));

        ComputationGraph model = Predictions.restore(Files.readAllBytes(run.model()), run.model().toString());
        assertTrue(model.numParams() > 0, "parameters in " + run.model());
        assertEquals(6, MetricsCsv.read(run.metrics()).rows(), "metrics.csv rows, one per step");

        EventLog log = train.eventLog();
        List<EventLog.Task> replicas = log.tasks().stream().filter(t -> t.barrier() && t.successful()).toList();
        assertEquals(WORKERS, replicas.size(), "successful barrier tasks (replicas): " + replicas);
        assertEquals(WORKERS, replicas.stream().map(EventLog.Task::executor).distinct().count(),
                "the replicas ran on different executors: " + replicas);
    }
}
