package bragg.jobs.config;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import bragg.jobs.Main;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

/** The CLI end of config: bad options and bad keys stop with exit code 2 and a message naming them. */
class ConfigCommandTest {

    private record Result(int code, String out, String err) {
    }

    static synchronized Result run(String... args) {
        PrintStream oldOut = System.out;
        PrintStream oldErr = System.err;
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        try {
            System.setOut(new PrintStream(out, true, StandardCharsets.UTF_8));
            System.setErr(new PrintStream(err, true, StandardCharsets.UTF_8));
            int code = Main.run(args);
            return new Result(code, out.toString(StandardCharsets.UTF_8), err.toString(StandardCharsets.UTF_8));
        } finally {
            System.setOut(oldOut);
            System.setErr(oldErr);
        }
    }

    @Test
    void showPrintsTheResolvedConfig() {
        Result r = run("config", "show", "--set", "bragg.train.epochs=3");
        assertEquals(0, r.code(), r.err());
        assertTrue(r.out().contains("epochs=3"), r.out());
    }

    @Test
    void referenceListsEveryKey() {
        Result r = run("config", "reference");
        assertEquals(0, r.code(), r.err());
        for (ConfigKey<?> k : BraggKeys.all()) {
            assertTrue(r.out().contains(k.path() + " = "), k.path());
        }
    }

    @Test
    void badKeyIsOneClearLineAndExitCode2() {
        Result r = run("config", "show", "--set", "bragg.train.epochs=ten");
        assertEquals(2, r.code());
        assertTrue(r.err().contains("bragg.train.epochs = \"ten\"") && r.err().contains("expected integer"), r.err());
        assertTrue(!r.err().contains("\tat "), "no stack trace: " + r.err());
    }

    @Test
    void unknownOptionAndMissingSubcommand() {
        Result r = run("config", "show", "--sett", "x=1");
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
