package bragg.jobs.train;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import bragg.driver.generate.StemGenerator;
import bragg.driver.generate.StemSpec;
import bragg.driver.preprocess.PreprocessJob;
import bragg.driver.preprocess.PreprocessOptions;
import bragg.driver.spark.SparkSessions;
import bragg.jobs.config.BraggConfig;
import bragg.jobs.progress.ProgressListener;
import bragg.jobs.progress.StepMetrics;
import bragg.jobs.report.MetricsCsv;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.apache.spark.sql.SparkSession;
import org.deeplearning4j.nn.graph.ComputationGraph;
import org.deeplearning4j.util.ModelSerializer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** train end to end in local[2]: generated scan -> shards -> 2 replicas of a tiny vit -> run folder. */
class TrainJobTest {
    static SparkSession spark;
    @TempDir
    static Path dir;
    static String shards;

    @BeforeAll
    static void start() throws Exception {
        spark = SparkSessions.getOrCreate("train-job-test", TrainCommand.sparkConf(BraggConfig.load(null,
                List.of("spark.master=local[2]", "spark.ui.enabled=false", "spark.sql.shuffle.partitions=2"))));
        Path g = dir.resolve("stem");
        new StemGenerator(new StemSpec(8, 8, 32, 4, 8000, 2, 0.8, 1.5, 11)).write(g, 2);
        shards = dir.resolve("shards").toString();
        PreprocessJob.run(spark, PreprocessOptions.defaults(g.resolve("scan.npy").toString(), shards)
                .withLabels(g.resolve("labels.npy").toString()).withBin(2).withScale("log"));
    }

    @AfterAll
    static void stop() {
        spark.stop();
    }

    private static BraggConfig config(String out, String... more) {
        List<String> o = new ArrayList<>(List.of("bragg.data.shards=" + shards, "bragg.data.holdout=0.25",
                "bragg.output.dir=" + out, "bragg.model.patch=4", "bragg.model.dim=16", "bragg.model.heads=2",
                "bragg.model.blocks=1", "bragg.train.replicas=2", "bragg.train.epochs=2", "bragg.train.batch-size=4",
                "bragg.train.checkpoint-every=3", "bragg.kernels.device=java"));
        o.addAll(List.of(more));
        return BraggConfig.load(null, o);
    }

    @Test
    void trainsTwoReplicasAndWritesTheRunFolder() throws Exception {
        Path out = dir.resolve("run");
        List<StepMetrics> seen = new ArrayList<>();
        ProgressListener live = seen::add;
        TrainJob.Outcome o = TrainJob.run(spark, config(out.toString()), live);
        // 8x8 scan, right quarter held out: 48 training samples, 24 per replica, 6 steps of 4 per epoch.
        assertEquals(48, o.result().plan().samples());
        assertEquals(12, o.result().steps());
        assertEquals(12, seen.size(), "a live progress line for every step");
        assertEquals(12, seen.get(11).totalSteps());
        ComputationGraph g = ModelSerializer.restoreComputationGraph(out.resolve("model.zip").toFile(), false);
        assertEquals(o.parameters(), g.numParams());
        String prov = ModelFiles.provenance(out.resolve("model.zip"));
        assertNotNull(prov);
        assertTrue(prov.contains("\"train.replicas\":2") && prov.contains("bragg.version") && prov.contains("data.manifest"), prov);
        assertEquals(12, MetricsCsv.read(out.resolve("metrics.csv")).rows());
        assertTrue(Files.readString(out.resolve("config.conf")).contains("dim"));
        assertTrue(Files.list(out.resolve("checkpoints")).findAny().isPresent());

        // A second train into the same folder must not silently overwrite the model.
        IllegalArgumentException again = assertThrows(IllegalArgumentException.class,
                () -> TrainJob.run(spark, config(out.toString()), m -> { }));
        assertTrue(again.getMessage().contains("bragg.output.overwrite") && again.getMessage().contains("model.zip"),
                again.getMessage());
    }

    /**
     * bragg.output.overwrite replaces the old outputs only once the new ones are complete: a run
     * refused on the way leaves the old model, its checkpoints and its evaluation as they were.
     */
    @Test
    void overwriteReplacesTheOldModelOnlyWhenTheNewOneIsComplete() throws Exception {
        Path out = dir.resolve("replace");
        TrainJob.run(spark, config(out.toString(), "bragg.train.epochs=1"), m -> { });
        byte[] oldModel = Files.readAllBytes(out.resolve("model.zip"));
        List<Path> oldCheckpoints = listing(out.resolve("checkpoints"));
        Files.writeString(out.resolve("evaluation.json"), "{\"of\": \"the old model\"}");
        Files.createDirectories(out.resolve("maps"));
        Files.writeString(out.resolve("maps").resolve("phase.png"), "old map");

        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> TrainJob.run(spark,
                config(out.toString(), "bragg.output.overwrite=true", "bragg.train.batch-size=64"), m -> { }));
        assertTrue(e.getMessage().contains("train.batch-size 64"), e.getMessage());
        assertArrayEquals(oldModel, Files.readAllBytes(out.resolve("model.zip")), "the old model is untouched");
        assertEquals(oldCheckpoints, listing(out.resolve("checkpoints")), "the old checkpoints are untouched");
        assertTrue(Files.exists(out.resolve("evaluation.json")) && Files.exists(out.resolve("maps").resolve("phase.png")));

        TrainJob.run(spark, config(out.toString(), "bragg.output.overwrite=true", "bragg.train.epochs=1",
                "bragg.train.seed=99"), m -> { });
        assertFalse(Arrays.equals(oldModel, Files.readAllBytes(out.resolve("model.zip"))), "a new model");
        assertFalse(Files.exists(out.resolve("evaluation.json")), "the old model's evaluation is gone");
        assertFalse(Files.exists(out.resolve("maps")), "the old model's maps are gone");
        assertFalse(Files.exists(Path.of(out.resolve("checkpoints") + TrainJob.REPLACEMENT)), "no replacement folder left");
        assertFalse(listing(out.resolve("checkpoints")).isEmpty(), "the new run's checkpoints took the old ones' place");
    }

    private static List<Path> listing(Path folder) throws java.io.IOException {
        try (java.util.stream.Stream<Path> s = Files.walk(folder)) {
            return s.filter(p -> !p.getFileName().toString().endsWith(".crc")).sorted().toList();
        }
    }

    @Test
    void regressionHeadAndTooLargeBatchAreRefusedWithTheKey() {
        IllegalArgumentException reg = assertThrows(IllegalArgumentException.class,
                () -> TrainJob.run(spark, config(dir.resolve("reg").toString(), "bragg.model.head=regression"), m -> { }));
        assertTrue(reg.getMessage().contains("bragg.model.head"), reg.getMessage());
        IllegalArgumentException big = assertThrows(IllegalArgumentException.class,
                () -> TrainJob.run(spark, config(dir.resolve("big").toString(), "bragg.train.batch-size=64"), m -> { }));
        assertTrue(big.getMessage().contains("train.batch-size 64"), big.getMessage());
    }
}
