package bragg.jobs.bench;

import bragg.jobs.BuildInfo;
import java.io.BufferedReader;
import java.io.File;
import java.io.IOException;
import java.io.InputStreamReader;
import java.net.URISyntaxException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.security.CodeSource;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;

/**
 * Runs a class's main in a second JVM on this JVM's classpath, with Spark's --add-opens flags:
 * for measurements that need their own process (a real second TCP endpoint, a process limited
 * to fewer cores or less memory).
 */
final class ChildJvm {
    private ChildJvm() {
    }

    /** What the child printed (stdout and stderr together) and its exit code. */
    record Outcome(int exitCode, String output) {
        /** The last line that starts with {@code prefix} (the child's result among its log lines), or null. */
        String lastLineStartingWith(String prefix) {
            String found = null;
            for (String line : output.split("\n")) {
                if (line.startsWith(prefix)) {
                    found = line;
                }
            }
            return found;
        }
    }

    /**
     * Starts {@code mainClass} with {@code jvmArgs} and {@code env}, hands each output line to
     * {@code onLine} as it comes (the parent may need the child's first line, a port, while it runs),
     * and waits at most {@code timeoutS} for it to end.
     */
    static Outcome run(Class<?> mainClass, List<String> jvmArgs, Map<String, String> env, List<String> args,
                       long timeoutS, Consumer<String> onLine) throws IOException, InterruptedException {
        List<String> cmd = new ArrayList<>();
        cmd.add(ProcessHandle.current().info().command().orElse("java"));
        cmd.addAll(BuildInfo.jvmFlags());
        cmd.addAll(jvmArgs);
        // The same (quiet) logging as this JVM, so the child's lines are worth reading.
        String log4j = System.getProperty("log4j2.configurationFile");
        if (log4j != null) {
            cmd.add("-Dlog4j2.configurationFile=" + log4j);
        }
        cmd.add("-cp");
        cmd.add(classPath(mainClass));
        cmd.add(mainClass.getName());
        cmd.addAll(args);
        ProcessBuilder pb = new ProcessBuilder(cmd).redirectErrorStream(true);
        pb.environment().putAll(env);
        Process p = pb.start();
        StringBuilder text = new StringBuilder();
        try (BufferedReader br = new BufferedReader(new InputStreamReader(p.getInputStream(), StandardCharsets.UTF_8))) {
            for (String line; (line = br.readLine()) != null; ) {
                text.append(line).append('\n');
                onLine.accept(line);
            }
        }
        if (!p.waitFor(timeoutS, TimeUnit.SECONDS)) {
            p.destroyForcibly();
            throw new IOException(mainClass.getSimpleName() + " in a child JVM did not end within " + timeoutS + " s");
        }
        return new Outcome(p.exitValue(), text.toString());
    }

    /**
     * This JVM's classpath plus the jar (or folder) {@code mainClass} was loaded from: under
     * spark-submit the application jar is loaded by Spark's own class loader and is not on
     * java.class.path, so a child started with java.class.path alone cannot find the class.
     */
    static String classPath(Class<?> mainClass) {
        String cp = System.getProperty("java.class.path", "");
        try {
            CodeSource src = mainClass.getProtectionDomain().getCodeSource();
            if (src != null) {
                String own = Path.of(src.getLocation().toURI()).toString();
                if (!Arrays.asList(cp.split(File.pathSeparator)).contains(own)) {
                    cp = own + (cp.isEmpty() ? "" : File.pathSeparator + cp);
                }
            }
        } catch (URISyntaxException | IllegalArgumentException e) {
            throw new IllegalStateException("cannot locate the classes of " + mainClass.getName() + ": " + e, e);
        }
        return cp;
    }
}
