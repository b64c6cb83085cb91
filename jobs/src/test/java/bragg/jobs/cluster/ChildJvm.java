package bragg.jobs.cluster;

import java.io.File;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * One Java process the cluster test started (a Master, a Worker, a spark-submit), stdout and
 * stderr in one log file. {@link #close()} ends it and every process under it: a Worker's
 * executors are its children and would outlive a Worker killed alone. A JVM shutdown hook does
 * the same if the test JVM is stopped before {@code close()} runs.
 */
final class ChildJvm implements AutoCloseable {
    private static final Duration GRACE = Duration.ofSeconds(10);

    private final String name;
    private final Path log;
    private final Thread hook;
    private Process process;   // guarded by this
    private boolean killed;    // guarded by this: set once, a later start() starts nothing

    private ChildJvm(String name, Path log) {
        this.name = name;
        this.log = log;
        this.hook = new Thread(this::killTree, "kill " + name);
        // Registered before the process exists: during JVM shutdown this throws, and nothing starts.
        Runtime.getRuntime().addShutdownHook(hook);
    }

    /**
     * @param classpath entries joined with ':'; {@code dir/*} is the JVM's own jar wildcard
     * @param env       added to this JVM's environment
     */
    static ChildJvm start(String name, List<String> jvmArgs, List<String> classpath, String mainClass, List<String> args,
                          Map<String, String> env, Path log) throws IOException {
        return start(name, List.of(), jvmArgs, classpath, mainClass, args, env, log);
    }

    /** The same, run through launcher (e.g. {@code taskset -c 1}: the JVM and its children on core 1). */
    static ChildJvm start(String name, List<String> launcher, List<String> jvmArgs, List<String> classpath, String mainClass,
                          List<String> args, Map<String, String> env, Path log) throws IOException {
        List<String> cmd = new ArrayList<>(launcher);
        cmd.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
        cmd.addAll(jvmArgs);
        cmd.add("-cp");
        cmd.add(String.join(File.pathSeparator, classpath));
        cmd.add(mainClass);
        cmd.addAll(args);
        Files.createDirectories(log.getParent());
        Files.writeString(log, String.join(" ", cmd) + "\n\n", StandardCharsets.UTF_8);
        ProcessBuilder pb = new ProcessBuilder(cmd).redirectErrorStream(true).redirectOutput(ProcessBuilder.Redirect.appendTo(log.toFile()));
        pb.environment().putAll(env);
        ChildJvm jvm = new ChildJvm(name, log);
        try {
            jvm.launch(pb);
        } catch (IOException | RuntimeException e) {
            jvm.close();
            throw e;
        }
        return jvm;
    }

    private synchronized void launch(ProcessBuilder pb) throws IOException {
        if (killed) throw new IllegalStateException(name + " not started: the test JVM is shutting down");
        process = pb.start();
    }

    String name() {
        return name;
    }

    boolean isAlive() {
        return process.isAlive();
    }

    /** Exit code, or -1 while it runs. */
    int exitCode() {
        return process.isAlive() ? -1 : process.exitValue();
    }

    /** Waits for the process to end; past the timeout its tree is killed and -1 returned. */
    int waitFor(Duration timeout) throws InterruptedException {
        if (process.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS)) return process.exitValue();
        close();
        return -1;
    }

    String log() {
        try {
            return Files.readString(log, StandardCharsets.UTF_8);
        } catch (IOException e) {
            return "(cannot read " + log + ": " + e.getMessage() + ")";
        }
    }

    /** The last lines of the log, for assertion messages. */
    String logTail(int lines) {
        List<String> all = log().lines().toList();
        return name + " (" + log + "), last " + Math.min(lines, all.size()) + " lines:\n"
                + String.join("\n", all.subList(Math.max(0, all.size() - lines), all.size()));
    }

    @Override
    public void close() {
        killTree();
        try {
            Runtime.getRuntime().removeShutdownHook(hook);
        } catch (IllegalStateException shuttingDown) {
            // The hook is running or about to; it kills the same tree, which is idempotent.
        }
    }

    private void killTree() {
        Process p;
        synchronized (this) {
            killed = true;
            p = process;
        }
        if (p == null) return;
        // Children first seen now: once the parent is gone they are re-parented and no longer
        // its descendants.
        List<ProcessHandle> tree = new ArrayList<>(p.descendants().toList());
        tree.add(p.toHandle());
        tree.forEach(ProcessHandle::destroy);
        long deadline = System.nanoTime() + GRACE.toNanos();
        for (ProcessHandle h : tree) {
            long left = deadline - System.nanoTime();
            try {
                if (left > 0) h.onExit().get(left, TimeUnit.NANOSECONDS);
            } catch (Exception stillRunning) {
                // forced below
            }
            if (h.isAlive()) h.destroyForcibly();
        }
    }
}
