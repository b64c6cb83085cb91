package bragg.jobs;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import bragg.jobs.config.BraggKeys;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

/**
 * The command line as a user meets it: bad options and bad keys stop with exit code 2 and a
 * message naming them (before any Spark starts), and every job's --help lists its options and the
 * config keys it reads.
 */
class CommandLineTest {

    /** The jobs that read a config; each --help must say which keys. */
    private static final List<String> CONFIG_JOBS = List.of("generate", "preprocess", "train", "evaluate", "infer", "demo");

    @TempDir
    Path dir;

    /** A config of the checkout's conf/ (the tests run in jobs/). */
    static Path conf(String name) {
        return Path.of(System.getProperty("bragg.root.dir", "..")).resolve("conf").resolve(name);
    }

    private static void rejected(Cli.Result r, String... named) {
        assertEquals(2, r.code(), "exit code; stderr: " + r.err());
        for (String n : named) {
            assertTrue(r.err().contains(n), "the message names " + n + ": " + r.err());
        }
        assertFalse(r.err().contains("\tat "), "no stack trace: " + r.err());
    }

    @Test
    void unknownOptionsAreNamedOnEveryJob() {
        for (String job : CONFIG_JOBS) {
            rejected(Cli.run(job, "--epoch", "3"), "Unknown option", "--epoch");
        }
        rejected(Cli.run("trian"), "trian");
    }

    @Test
    void badConfigKeysAndValuesAreNamedWithWhatIsAllowed() {
        rejected(Cli.run("train", "--set", "bragg.train.epoch=3"), "bragg.train.epoch", "did you mean bragg.train.epochs");
        rejected(Cli.run("evaluate", "--set", "bragg.data.holdout=1.5"), "bragg.data.holdout", "1.5", "0 <= value < 1");
        rejected(Cli.run("infer", "--set", "bragg.infer.batch-size=many"), "bragg.infer.batch-size", "many");
        rejected(Cli.run("demo", conf("demo-4dstem.conf").toString(), "--set", "bragg.model.dim=30", "--set", "bragg.model.heads=4"),
                "bragg.model.dim = 30", "bragg.model.heads = 4");
        rejected(Cli.run("train", "--set", "epochs"), "--set epochs", "key=value");
        rejected(Cli.run("train", dir.resolve("missing.conf").toString()), "missing.conf", "does not exist");
    }

    @Test
    void preprocessOptionsAreCheckedAsTheirKeysAndNamed() {
        rejected(Cli.run("preprocess", "scan.npy", "--output", "shards", "--bin", "3"),
                "bragg.preprocess.bin", "--bin 3", "1, 2 or 4");
        rejected(Cli.run("preprocess", "scan.npy", "--scale", "cube"), "bragg.preprocess.scale", "--scale cube", "log");
        rejected(Cli.run("preprocess", "scan.npy", "--conf", "executor.memory=8g"), "executor.memory", "spark.*");
        rejected(Cli.run("preprocess", "a.npy", "--input", "b.npy"), "a.npy", "--input b.npy");
        rejected(Cli.run("preprocess"), "bragg.data.input");
        rejected(Cli.run("preprocess", "scan.npy", "--bin", "two"), "--bin", "two");
    }

    @Test
    void generateAndDemoOptionsAreChecked() throws Exception {
        rejected(Cli.run("generate"), "say 4dstem or lpbf");
        rejected(Cli.run("generate", "--set", "bragg.generate.kind=lpbf", "--set", "bragg.generate.tile=30"),
                "bragg.generate.tile = 30", "bragg.generate.size = 256");
        rejected(Cli.run("generate", "--set", "bragg.generate.scan=[8]"), "bragg.generate.scan", "[y, x]");
        rejected(Cli.run("demo", "--min-accuracy", "95"), "--min-accuracy", "between 0 and 1");
        Path conf = dir.resolve("d.conf");
        Files.writeString(conf, "bragg.output.dir = \"runs/x\"\n");
        rejected(Cli.run("demo", "--lpbf", conf.toString()), "--lpbf", "d.conf");
        rejected(Cli.run("demo", conf.toString(), "--set", "bragg.model.head=regression"), "bragg.model.head", "classifier");
    }

    @Test
    void generateFromAConfigWritesTheScan() {
        Path out = dir.resolve("gen");
        Cli.Result r = Cli.run("generate", "--set", "bragg.generate.out=" + out, "--set", "bragg.generate.scan=[3, 5]",
                "--set", "bragg.generate.detector=16", "--set", "bragg.generate.grains=3");
        assertEquals(0, r.code(), r.err());
        assertTrue(Files.isRegularFile(out.resolve("scan.npy")) && Files.isRegularFile(out.resolve("labels.npy"))
                && Files.isRegularFile(out.resolve("labels.txt")), r.out());
        assertTrue(r.out().contains("[3, 5, 16, 16]") && r.out().contains("3 grains"), r.out());
        assertTrue(r.lastLine().startsWith("{\"input\":\"" + out.resolve("scan.npy").toAbsolutePath()), r.lastLine());
    }

    @Test
    void everyJobsHelpListsItsOptionsAndOnlyRealConfigKeys() {
        Set<String> known = BraggKeys.byPath().keySet();
        Set<String> sections = new TreeSet<>();
        for (String k : known) {
            sections.add(k.substring(0, k.lastIndexOf('.')));
        }
        CommandLine main = new CommandLine(new Main());
        for (String job : CONFIG_JOBS) {
            Cli.Result r = Cli.run(job, "--help");
            assertEquals(0, r.code(), job + ": " + r.err());
            String help = r.out();
            assertTrue(help.contains("Config keys:"), job + " --help lists its config keys:\n" + help);
            for (CommandLine.Model.OptionSpec o : main.getSubcommands().get(job).getCommandSpec().options()) {
                assertTrue(help.contains(o.longestName()), job + " --help lists " + o.longestName());
            }
            // Every key named in the text exists (a renamed key must not live on in the help).
            // picocli wraps long words after a '.' or '-': join those back first.
            String joined = help.replaceAll("(?<=[a-z0-9])([.-])[ \\t]*\\R\\s*(?=[a-z*])", "$1");
            Matcher m = Pattern.compile("bragg(\\.[a-z][a-z0-9-]*)+(\\.\\*)?").matcher(joined);
            int keys = 0;
            while (m.find()) {
                String k = m.group().replaceAll("[.-]+$", "");
                if (k.startsWith("bragg.jobs") || k.equals("bragg")) {
                    continue;
                }
                keys++;
                boolean ok = k.endsWith(".*") ? sections.contains(k.substring(0, k.length() - 2)) : known.contains(k);
                assertTrue(ok, job + " --help names " + k + ", which is not a config key: ..."
                        + joined.substring(Math.max(0, m.start() - 40), Math.min(joined.length(), m.end() + 40)) + "...");
            }
            assertTrue(keys >= 2, job + " --help names its keys: " + help);
        }
    }

    @Test
    void demoExitsWithAClearMessageWhenItsConfigIsMissing() {
        String old = System.getProperty("bragg.root.dir");
        System.setProperty("bragg.root.dir", dir.toString());
        try {
            rejected(Cli.run("demo"), dir.resolve("conf").resolve("demo-4dstem.conf").toString(), "does not exist");
        } finally {
            if (old == null) {
                System.clearProperty("bragg.root.dir");
            } else {
                System.setProperty("bragg.root.dir", old);
            }
        }
    }
}
