package bragg.jobs.config;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import bragg.jobs.Cli;
import org.junit.jupiter.api.Test;

/** The CLI end of config: bad options and bad keys stop with exit code 2 and a message naming them. */
class ConfigCommandTest {

    private static Cli.Result run(String... args) {
        return Cli.run(args);
    }

    @Test
    void showPrintsTheResolvedConfig() {
        Cli.Result r = run("config", "show", "--set", "bragg.train.epochs=3");
        assertEquals(0, r.code(), r.err());
        assertTrue(r.out().contains("epochs=3"), r.out());
    }

    @Test
    void referenceListsEveryKey() {
        Cli.Result r = run("config", "reference");
        assertEquals(0, r.code(), r.err());
        for (ConfigKey<?> k : BraggKeys.all()) {
            assertTrue(r.out().contains(k.path() + " = "), k.path());
        }
    }

    @Test
    void badKeyIsOneClearLineAndExitCode2() {
        Cli.Result r = run("config", "show", "--set", "bragg.train.epochs=ten");
        assertEquals(2, r.code());
        assertTrue(r.err().contains("bragg.train.epochs = \"ten\"") && r.err().contains("expected integer"), r.err());
        assertTrue(!r.err().contains("\tat "), "no stack trace: " + r.err());
    }

    @Test
    void unknownOptionAndMissingSubcommand() {
        Cli.Result r = run("config", "show", "--sett", "x=1");
        assertEquals(2, r.code());
        assertTrue(r.err().contains("Unknown option: '--sett'"), r.err());
        r = run("config");
        assertEquals(2, r.code());
        assertTrue(r.err().contains("say reference or show"), r.err());
        r = run("nosuchcommand");
        assertEquals(2, r.code());
        assertTrue(r.err().contains("nosuchcommand"), r.err());
    }
}
