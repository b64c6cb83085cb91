package bragg.kernels;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * Whether this JVM runs with HotSpot's signal-chaining library ({@code libjsig.so}) preloaded.
 *
 * <p>OpenCL drivers (PoCL and the LLVM inside it, vendor GPU drivers) may install their own
 * handlers for SIGSEGV and SIGBUS. HotSpot raises and catches SIGSEGVs itself (implicit null
 * checks, safepoint polls); once a driver's handler sits in front of the JVM's, such a routine
 * signal kills the process with a bare "Segmentation fault" and no hs_err file.
 * {@code LD_PRELOAD=$JAVA_HOME/lib/libjsig.so} keeps the JVM's handler first and chains the
 * driver's behind it. bin/bragg, the test JVMs (root pom) and the cluster's executors
 * ({@code spark.executorEnv.LD_PRELOAD}, README) set it; {@link AparapiFlashAttention} warns
 * when an OpenCL device is opened without it.
 */
public final class SignalChaining {
    private static final System.Logger LOG = System.getLogger(SignalChaining.class.getName());
    private static final Path MAPS = Path.of("/proc/self/maps");
    private static boolean warned;

    private SignalChaining() {
    }

    /** True when libjsig is mapped into this process; false also where /proc is absent (not Linux). */
    public static boolean preloaded() {
        if (!Files.isReadable(MAPS)) {
            return false;
        }
        try (var lines = Files.lines(MAPS)) {
            return lines.anyMatch(l -> l.endsWith("/libjsig.so"));
        } catch (IOException | java.io.UncheckedIOException e) {
            return false;
        }
    }

    /** Logs one WARNING per JVM when an OpenCL device is opened on Linux without libjsig. */
    static synchronized void warnIfMissing(String device) {
        if (!warned && Files.isReadable(MAPS) && !preloaded()) {
            warned = true;
            LOG.log(System.Logger.Level.WARNING, "OpenCL device " + device + " opened in a JVM without "
                    + "LD_PRELOAD=$JAVA_HOME/lib/libjsig.so: the OpenCL driver may replace the JVM's signal "
                    + "handlers and the JVM may die with a bare 'Segmentation fault' (bin/bragg sets it; on a "
                    + "cluster set spark.executorEnv.LD_PRELOAD, see README.md)");
        }
    }

    /** Exit 0 when libjsig is preloaded, 1 when not; for launcher checks. */
    public static void main(String[] args) {
        boolean ok = preloaded();
        System.out.println("libjsig preloaded: " + ok);
        System.exit(ok ? 0 : 1);
    }
}
