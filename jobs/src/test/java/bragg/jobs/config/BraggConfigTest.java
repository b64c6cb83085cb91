package bragg.jobs.config;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class BraggConfigTest {

    @TempDir
    Path dir;

    private Path conf(String text) throws IOException {
        Path f = dir.resolve("job.conf");
        Files.writeString(f, text);
        return f;
    }

    private static String failure(Path file, String... sets) {
        return assertThrows(IllegalArgumentException.class, () -> BraggConfig.load(file, List.of(sets))).getMessage();
    }

    @Test
    void defaultsAreValidAndTyped() {
        BraggConfig c = BraggConfig.defaults();
        assertEquals(3, c.get(BraggKeys.TRAIN_EPOCHS));
        assertEquals("vit", c.get(BraggKeys.MODEL_KIND));
        assertEquals(Duration.ofSeconds(300), c.get(BraggKeys.TRAIN_BARRIER_TIMEOUT));
        assertTrue(c.sparkConf().isEmpty());
    }

    @Test
    void fileThenOverridesThenDefaults() throws IOException {
        Path f = conf("bragg { train { epochs = 7, batch-size = 16 } }\nspark.executor.memory = 8g\n");
        BraggConfig c = BraggConfig.load(f, List.of("bragg.train.epochs=3", "bragg.kernels.device=opencl-gpu:1",
                "bragg.data.input=hdfs://nn:8020/data//scan.mib"));
        assertEquals(3, c.get(BraggKeys.TRAIN_EPOCHS), "--set wins over the file");
        assertEquals(16, c.get(BraggKeys.TRAIN_BATCH), "file wins over the default");
        assertEquals(4, c.get(BraggKeys.MODEL_HEADS), "default fills the rest");
        assertEquals("opencl-gpu:1", c.get(BraggKeys.KERNELS_DEVICE));
        assertEquals("hdfs://nn:8020/data//scan.mib", c.get(BraggKeys.DATA_INPUT), "paths survive --set unparsed");
        assertEquals(Map.of("spark.executor.memory", "8g"), c.sparkConf());
    }

    @Test
    void unknownKeyIsNamedWithAHint() throws IOException {
        String msg = failure(conf("bragg.train.epoch = 3\n"));
        assertTrue(msg.contains("unknown config key bragg.train.epoch"), msg);
        assertTrue(msg.contains("did you mean bragg.train.epochs?"), msg);
        assertTrue(msg.contains("job.conf"), "names the file: " + msg);
    }

    @Test
    void keyInTheWrongSectionGetsTheRightOne() {
        String msg = failure(null, "bragg.model.epochs=3");
        assertTrue(msg.contains("did you mean bragg.train.epochs?"), msg);
    }

    @Test
    void unknownTopLevelKey() {
        String msg = failure(null, "brag.train.epochs=3");
        assertTrue(msg.contains("unknown config key brag.train.epochs (--set brag.train.epochs=3)") && msg.contains("bragg.*")
                && msg.contains("did you mean bragg.train.epochs?"), msg);
    }

    @Test
    void wrongTypeNamesKeyValueAndAllowed() throws IOException {
        String msg = failure(conf("bragg.train.epochs = ten\n"));
        assertTrue(msg.contains("bragg.train.epochs = \"ten\""), msg);
        assertTrue(msg.contains("expected integer"), msg);
        msg = failure(null, "bragg.preprocess.center=maybe");
        assertTrue(msg.contains("bragg.preprocess.center = \"maybe\"") && msg.contains("boolean"), msg);
        assertTrue(msg.contains("--set bragg.preprocess.center=maybe"), "names the origin: " + msg);
    }

    @Test
    void outOfRangeNamesKeyValueAndAllowed() {
        String msg = failure(null, "bragg.data.holdout=1.5");
        assertTrue(msg.contains("bragg.data.holdout = \"1.5\"") && msg.contains("0 <= value < 1"), msg);
        msg = failure(null, "bragg.kernels.device=cuda");
        assertTrue(msg.contains("bragg.kernels.device = \"cuda\"") && msg.contains("opencl-gpu[:N]"), msg);
        msg = failure(null, "bragg.preprocess.bin=3");
        assertTrue(msg.contains("bragg.preprocess.bin") && msg.contains("1, 2 or 4"), msg);
        msg = failure(null, "bragg.train.barrier-timeout=3d");
        assertTrue(msg.contains("bragg.train.barrier-timeout") && msg.contains("1s..24h"), msg);
    }

    @Test
    void crossKeyRuleNamesBothKeys() {
        String msg = failure(null, "bragg.model.dim=130", "bragg.model.heads=4");
        assertTrue(msg.contains("bragg.model.dim = 130") && msg.contains("bragg.model.heads = 4"), msg);
    }

    @Test
    void everyProblemIsReportedAtOnce() {
        String msg = failure(null, "bragg.train.epochs=0", "bragg.model.kind=cnn");
        assertTrue(msg.contains("bragg.train.epochs") && msg.contains("bragg.model.kind"), msg);
    }

    @Test
    void badOverrideSyntaxAndMissingFile() {
        assertTrue(failure(null, "bragg.train.epochs").contains("expected key=value"));
        String msg = failure(dir.resolve("nope.conf"));
        assertTrue(msg.contains("nope.conf") && msg.contains("does not exist"), msg);
    }

    @Test
    void sparkListsAreRejected() {
        String msg = failure(null, "spark.jars=[a,b]");
        assertTrue(msg.contains("spark.jars") && msg.contains("string"), msg);
    }

    @Test
    void savedConfigRoundTripsAndHidesSecrets() throws IOException {
        BraggConfig c = BraggConfig.load(null, List.of("bragg.train.epochs=5", "spark.authenticate.secret=hunter2",
                "spark.hadoop.fs.s3a.secret.key=abc123"));
        Path saved = dir.resolve("run/config.conf");
        c.save(saved);
        String text = Files.readString(saved);
        assertTrue(!text.contains("hunter2") && !text.contains("abc123") && text.contains("<redacted>"), text);
        BraggConfig back = BraggConfig.load(saved, List.of());
        assertEquals(5, back.get(BraggKeys.TRAIN_EPOCHS));
        assertTrue(c.renderJson().startsWith("{") && c.renderJson().contains("\"epochs\":5"), c.renderJson());
    }

    @Test
    void referenceConfIsTheRenderingOfTheRegistry() throws IOException {
        String expected = ConfigReference.render();
        try (InputStream in = BraggConfig.class.getResourceAsStream("/reference.conf")) {
            String actual = in == null ? "" : new String(in.readAllBytes(), StandardCharsets.UTF_8);
            if (!expected.equals(actual)) {
                Path fresh = Path.of("target/reference.conf.expected");
                Files.writeString(fresh, expected);
                throw new AssertionError("jobs/src/main/resources/reference.conf is out of date with BraggKeys; "
                        + "the expected text is in jobs/" + fresh + " (or run bin/bragg config reference)");
            }
        }
        // Every key of the reference parses back to its own default.
        BraggConfig c = BraggConfig.load(null, List.of());
        for (ConfigKey<?> k : BraggKeys.all()) {
            assertEquals(k.defaultValue(), c.get(k), k.path());
        }
    }

    @Test
    void aLaterSetOfTheSameKeyWins() {
        BraggConfig c = BraggConfig.load(null, List.of("bragg.train.epochs=2", "bragg.train.epochs=7"));
        assertEquals(7, c.get(BraggKeys.TRAIN_EPOCHS));
    }

    @Test
    void everyKeyIsDocumented() {
        for (ConfigKey<?> k : BraggKeys.all()) {
            assertTrue(k.doc().length() > 10, k.path());
            assertTrue(k.path().startsWith("bragg."), k.path());
        }
    }

    @Test
    void aJobsOwnOptionIsNamedInErrorsAndASetWinsOverIt() {
        String msg = assertThrows(IllegalArgumentException.class, () -> BraggConfig.load(null,
                List.of(new BraggConfig.Setting("bragg.preprocess.bin", 3, "--bin 3")), List.of())).getMessage();
        assertTrue(msg.contains("bragg.preprocess.bin = 3") && msg.contains("--bin 3") && msg.contains("1, 2 or 4"), msg);
        BraggConfig c = BraggConfig.load(null, List.of(new BraggConfig.Setting("bragg.preprocess.bin", 4, "--bin 4")),
                List.of("bragg.preprocess.bin=2"));
        assertEquals(2, c.get(BraggKeys.PRE_BIN));
    }

    @Test
    void generateTileMustDivideTheLayerOnlyForLpbf() {
        String msg = failure(null, "bragg.generate.kind=lpbf", "bragg.generate.size=100", "bragg.generate.tile=30");
        assertTrue(msg.contains("bragg.generate.tile = 30") && msg.contains("bragg.generate.size = 100")
                && msg.contains("e.g. 25"), msg);
        assertEquals(30, BraggConfig.load(null, List.of("bragg.generate.size=100", "bragg.generate.tile=30"))
                .get(BraggKeys.GEN_TILE), "a 4dstem generate has no tiles");
        msg = failure(null, "bragg.generate.detector=8");
        assertTrue(msg.contains("bragg.generate.detector = ") && msg.contains("16..4096"), msg);
        msg = failure(null, "bragg.data.channels=2");
        assertTrue(msg.contains("bragg.data.channels") && msg.contains("0, 1 or 3"), msg);
    }

    @Test
    void theDemoConfigsPathsFollowTheRunFolder() {
        Path demo = Path.of(System.getProperty("bragg.root.dir", "..")).resolve("conf/demo-4dstem.conf");
        BraggConfig c = BraggConfig.load(demo, List.of("bragg.output.dir=/tmp/elsewhere"));
        assertEquals("/tmp/elsewhere/data", c.get(BraggKeys.GEN_OUT));
        assertEquals("/tmp/elsewhere/data/scan.npy", c.get(BraggKeys.DATA_INPUT));
        assertEquals("/tmp/elsewhere/shards", c.get(BraggKeys.DATA_SHARDS));
        assertEquals("local[2]", c.sparkConf().get("spark.master"));
        assertEquals(2, c.get(BraggKeys.TRAIN_REPLICAS));
    }
}
