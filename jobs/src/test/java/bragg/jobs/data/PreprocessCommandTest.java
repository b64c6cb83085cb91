package bragg.jobs.data;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import bragg.driver.preprocess.PreprocessOptions;
import bragg.jobs.config.BraggConfig;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

/** preprocess reads a config file + --set, and its explicit options are short names for the same keys. */
class PreprocessCommandTest {

    @TempDir
    Path dir;

    private static PreprocessCommand parse(String... args) {
        PreprocessCommand c = new PreprocessCommand();
        new CommandLine(c).parseArgs(args);
        return c;
    }

    @Test
    void theOptionFormStillWorks() {
        PreprocessCommand cmd = parse("data/scan.mib", "--output", "/tmp/shards", "--scan", "16,24", "--bin", "2",
                "--center", "--no-checksums", "--label-names", "fcc,hcp", "--labels", "data/l.npy", "--crop", "1,2,30,40",
                "--conf", "spark.executor.memory=2g");
        BraggConfig c = cmd.config();
        PreprocessOptions o = cmd.options(c);
        assertEquals("data/scan.mib", o.input());
        assertEquals("/tmp/shards", o.output());
        assertArrayEquals(new long[] {16, 24}, o.open().scan());
        assertEquals(2, o.bin());
        assertTrue(o.center());
        assertFalse(o.checksums());
        assertEquals(List.of("fcc", "hcp"), o.labelNames());
        assertEquals("data/l.npy", o.labels());
        assertArrayEquals(new int[] {1, 2, 30, 40}, o.crop());
        assertEquals("2g", c.sparkConf().get("spark.executor.memory"));
        assertEquals("log", o.scale(), "keys no option set keep their defaults");
    }

    @Test
    void aConfigFileThenOptionsThenSet() throws Exception {
        Path f = dir.resolve("job.conf");
        Files.writeString(f, "bragg { data { input = \"in.npy\", shards = \"s\" }, preprocess { bin = 4, scale = sqrt, center = true } }\n");
        PreprocessCommand cmd = parse(f.toString(), "--bin", "2", "--set", "bragg.preprocess.scale=none");
        PreprocessOptions o = cmd.options(cmd.config());
        assertEquals("in.npy", o.input(), "from the file");
        assertEquals(2, o.bin(), "an option wins over the file");
        assertEquals("none", o.scale(), "--set wins over both");
        assertTrue(o.center(), "an unset flag does not clear the file's value");
        assertNull(o.labelNames());
        assertEquals("s", o.output());
    }

    @Test
    void theExampleConfigPreprocessesFromItsKeys() {
        PreprocessCommand cmd = parse(Path.of(System.getProperty("bragg.root.dir", "..")).resolve("conf/vit-4dstem.conf").toString());
        PreprocessOptions o = cmd.options(cmd.config());
        assertEquals("data/scan.mib", o.input());
        assertEquals("runs/vit-4dstem/shards", o.output());
        assertArrayEquals(new long[] {256, 256}, o.open().scan());
        assertEquals(4, o.bin());
        assertEquals("float16", o.dtype());
    }
}
