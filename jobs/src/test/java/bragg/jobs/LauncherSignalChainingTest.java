package bragg.jobs;

import bragg.kernels.SignalChaining;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/**
 * bin/bragg starts its JVM with libjsig preloaded (bin/jsig-preload), so that an OpenCL driver's
 * signal handlers cannot kill it. Runs the launcher's own environment step in a clean
 * environment (no LD_PRELOAD inherited from this test JVM) and asks the JVM it starts.
 */
class LauncherSignalChainingTest {
    private static final Path ROOT = Path.of(System.getProperty("bragg.root.dir", ".."));

    @Test
    void theLauncherStartsJavaWithLibjsig() throws IOException, InterruptedException {
        assumeTrue(Files.isReadable(Path.of("/proc/self/maps")), "no /proc/self/maps: not Linux");
        Path script = ROOT.resolve("bin/jsig-preload");
        assertTrue(Files.readString(ROOT.resolve("bin/bragg")).contains(". \"$root/bin/jsig-preload\""),
                "bin/bragg does not source bin/jsig-preload");
        String kernels = Path.of(SignalChaining.class.getProtectionDomain().getCodeSource().getLocation().getPath())
                .toString();
        ProcessBuilder pb = new ProcessBuilder("bash", "-c", ". \"$0\" && exec java -cp \"$1\" "
                + SignalChaining.class.getName(), script.toString(), kernels).redirectErrorStream(true);
        pb.environment().remove("LD_PRELOAD");
        Process p = pb.start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertTrue(p.waitFor(60, TimeUnit.SECONDS), "java did not finish: " + out);
        assertEquals(List.of("libjsig preloaded: true"), out.lines().toList(), "exit " + p.exitValue());
        assertEquals(0, p.exitValue(), out);
    }
}
