package bragg.jobs.bench;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;

/**
 * The memory budget of a {@code bench attention} probe JVM, enforced on the whole process: a
 * daemon thread reads the resident set (VmRSS in /proc/self/status: heap, ND4J's off-heap,
 * native code, everything) every {@value #POLL_MS} ms and halts the JVM with exit code
 * {@value #EXIT_OVER_BUDGET} as soon as it is above the budget. ND4J's native buffers are not
 * counted by JavaCPP's maxbytes, so a heap or JavaCPP limit alone would not hold the line;
 * the resident set does, and it stops an over-budget run before it can crowd the machine.
 */
final class ResidentBudget {
    static final int EXIT_OVER_BUDGET = 4;
    private static final long POLL_MS = 2;
    private static final Path STATUS = Path.of("/proc/self/status");

    private ResidentBudget() {
    }

    /** Starts the watchdog; throws when /proc/self/status cannot be read (not Linux). */
    static void enforce(long budgetBytes) {
        readKiB("VmRSS:"); // fail now, not in the thread
        Thread t = new Thread(() -> {
            while (true) {
                long rss = residentBytes();
                if (rss > budgetBytes) {
                    System.out.printf(Locale.ROOT, "failed: over budget: resident %d MiB > %d MiB%n",
                            rss >> 20, budgetBytes >> 20);
                    System.out.flush();
                    Runtime.getRuntime().halt(EXIT_OVER_BUDGET);
                }
                try {
                    Thread.sleep(POLL_MS);
                } catch (InterruptedException e) {
                    return;
                }
            }
        }, "resident-budget");
        t.setDaemon(true);
        t.start();
    }

    /**
     * Ends a probe JVM the way {@code AttentionBench} reads it: exit 3 and "failed: ..." when the
     * gradients' checksum is not finite, else exit 0 and "ok <seconds> s, peak resident <MiB> MiB".
     */
    static void exitWithOutcome(long startNanos, double gradientChecksum) {
        if (!Double.isFinite(gradientChecksum)) {
            System.out.println("failed: non-finite gradients");
            System.exit(3);
        }
        System.out.printf(java.util.Locale.ROOT, "ok %.1f s, peak resident %d MiB%n", (System.nanoTime() - startNanos) / 1e9,
                peakBytes() >> 20);
        System.exit(0);
    }

    /** Peak resident set of this process so far (VmHWM), in bytes. */
    static long peakBytes() {
        return readKiB("VmHWM:") * 1024;
    }

    /** Current resident set of this process (VmRSS), in bytes. */
    static long residentBytes() {
        return readKiB("VmRSS:") * 1024;
    }

    private static long readKiB(String field) {
        try {
            return kib(Files.readAllLines(STATUS), field);
        } catch (IOException | RuntimeException e) {
            throw new IllegalStateException("cannot read " + field + " from " + STATUS
                    + " (the memory budget needs Linux /proc): " + e, e);
        }
    }

    /** The value of {@code field} ("VmHWM:") in the lines of a /proc status file, in KiB. */
    static long kib(List<String> status, String field) {
        for (String line : status) {
            if (line.startsWith(field)) {
                return Long.parseLong(line.substring(field.length()).trim().split("\\s+")[0]);
            }
        }
        throw new IllegalStateException(STATUS + " has no " + field + " line");
    }
}
