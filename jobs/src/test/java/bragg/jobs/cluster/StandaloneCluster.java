package bragg.jobs.cluster;

import bragg.jobs.BuildInfo;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;

/**
 * A Spark standalone cluster on 127.0.0.1 made of separate JVMs: one Master and N Workers
 * started from their main classes with a {@link SparkHome}'s classpath, each Worker offering
 * one core per executor slot. {@link #submit} runs Spark's own SparkSubmit class in a further
 * JVM, in client mode, so the driver is that JVM and the executors are the Workers' children.
 * {@link #close()} stops every process it started; each one also has a shutdown hook.
 */
final class StandaloneCluster implements AutoCloseable {
    // Master and Workers only schedule; executors (1g) and the driver (1g) do the work.
    private static final String DAEMON_HEAP = "-Xmx384m";
    private static final String DRIVER_HEAP = "-Xmx1g";
    private static final String EXECUTOR_MEMORY = "1g";
    // ND4J's off-heap arrays are outside -Xmx; bounded so the driver and two executors fit next
    // to other builds.
    private static final String ND4J_NATIVE = "-Dorg.bytedeco.javacpp.maxbytes=1G -Dorg.bytedeco.javacpp.maxphysicalbytes=3G";
    // Every JVM here lives for seconds on a small shared machine: the C1 compiler alone and the
    // serial collector start faster and leave the cores to the work (no C2 or GC thread pools).
    private static final String QUICK_JVM = "-XX:TieredStopAtLevel=1 -XX:+UseSerialGC";
    private static final Duration REGISTRATION_TIMEOUT = Duration.ofSeconds(90);

    private final Path dir;
    private final SparkHome home;
    private final List<String> jvmOpens;
    private final int workers;
    private final boolean pinWorkers;     // worker i (and its executor) on core i mod cores
    private final int port;
    private final int webUiPort;
    private final List<ChildJvm> daemons = new ArrayList<>();

    private StandaloneCluster(Path dir, SparkHome home, List<String> jvmOpens, int workers, boolean pinWorkers) {
        this.dir = dir;
        this.home = home;
        this.jvmOpens = jvmOpens;
        this.workers = workers;
        this.pinWorkers = pinWorkers;
        this.port = FreePort.next();
        this.webUiPort = FreePort.next();
    }

    /**
     * Starts the Master and {@code workers} Workers (1 core, 1 executor's memory each) and
     * returns once the Master lists all of them as alive.
     *
     * @param dir      empty folder for logs, work dirs, local dirs and event logs
     * @param jvmOpens the Java 17 flags every Spark JVM needs ({@code BuildInfo.jvmFlags()})
     * @param pinWorkers run Worker i and its executor on core i (mod the cores) with taskset: a
     *                   measurement's "one core per executor"; the tests leave them unpinned
     */
    static StandaloneCluster start(Path dir, SparkHome home, List<String> jvmOpens, int workers, boolean pinWorkers)
            throws IOException, InterruptedException {
        StandaloneCluster c = new StandaloneCluster(dir, home, jvmOpens, workers, pinWorkers);
        try {
            c.startDaemons();
            c.awaitWorkers();
            return c;
        } catch (IOException | InterruptedException | RuntimeException | Error e) {
            c.close();
            throw e;
        }
    }

    /**
     * The cluster of the build in {@code root}: its SPARK_HOME made under {@code dir} from
     * jobs/target/spark-classpath.txt and conf/log4j2.properties, the Java 17 flags from
     * bragg/build.properties ({@code BuildInfo.jvmFlags()}); {@code dir} is emptied first.
     * What {@link StandaloneClusterIT} runs on, and {@link ClusterBench}.
     */
    static StandaloneCluster startForBuild(Path root, Path dir, int workers, boolean pinWorkers) throws IOException, InterruptedException {
        deleteTree(dir);
        Files.createDirectories(dir);
        SparkHome home = SparkHome.create(dir.resolve("spark-home"), root.resolve("jobs/target/spark-classpath.txt"),
                root.resolve("conf/log4j2.properties"));
        List<String> opens = BuildInfo.jvmFlags();
        if (!opens.contains("--add-opens=java.base/java.nio=ALL-UNNAMED")) {
            throw new IllegalStateException("jvm.opens in bragg/build.properties lacks --add-opens=java.base/java.nio=ALL-UNNAMED: " + opens);
        }
        return start(dir, home, opens, workers, pinWorkers);
    }

    static void deleteTree(Path p) throws IOException {
        if (!Files.exists(p)) return;
        try (Stream<Path> s = Files.walk(p)) {
            for (Path q : s.sorted(java.util.Comparator.reverseOrder()).toList()) Files.delete(q);
        }
    }

    String masterUrl() {
        return "spark://127.0.0.1:" + port;
    }

    int workers() {
        return workers;
    }

    private void startDaemons() throws IOException {
        Path logs = Files.createDirectories(dir.resolve("logs"));
        daemons.add(ChildJvm.start("master", jvm(DAEMON_HEAP, "-Dspark.master.rest.enabled=false"), home.classpath(),
                "org.apache.spark.deploy.master.Master",
                List.of("--host", "127.0.0.1", "--port", String.valueOf(port), "--webui-port", String.valueOf(webUiPort)),
                env(), logs.resolve("master.log")));
        for (int i = 0; i < workers; i++) {
            Path work = Files.createDirectories(dir.resolve("worker-" + i));
            // Port 0: the Worker's RPC and web UI ports are chosen by the Worker.
            // Pinned: the Worker, and the executor it forks, run on core i alone (the executor's JVM
            // then sizes its GC and JIT threads for that one core), as a 1-core container would hold them.
            List<String> launcher = pinWorkers ? List.of("taskset", "-c", String.valueOf(i % Runtime.getRuntime().availableProcessors())) : List.of();
            daemons.add(ChildJvm.start("worker-" + i, launcher, jvm(DAEMON_HEAP), home.classpath(), "org.apache.spark.deploy.worker.Worker",
                    List.of("--host", "127.0.0.1", "--port", "0", "--webui-port", "0", "--cores", "1", "--memory", EXECUTOR_MEMORY,
                            "--work-dir", work.toString(), masterUrl()),
                    env(), logs.resolve("worker-" + i + ".log")));
        }
    }

    private void awaitWorkers() throws InterruptedException {
        long deadline = System.nanoTime() + REGISTRATION_TIMEOUT.toNanos();
        String last = "(no answer from the master's web UI yet)";
        while (System.nanoTime() < deadline) {
            for (ChildJvm d : daemons) {
                if (!d.isAlive()) throw new IllegalStateException(d.name() + " exited with code " + d.exitCode() + "\n" + d.logTail(40));
            }
            try {
                MasterStatus s = MasterStatus.read(webUiPort);
                if (s.aliveWorkers() == workers) return;
                last = s.json();
            } catch (IOException notUpYet) {
                last = notUpYet.toString();
            }
            Thread.sleep(250);
        }
        throw new IllegalStateException(workers + " workers did not register with " + masterUrl() + " within " + REGISTRATION_TIMEOUT
                + "; master said: " + last + "\n" + daemons.get(0).logTail(40));
    }

    /**
     * Runs {@code spark-submit --class bragg.jobs.Main <app jar> <appArgs>} against this
     * cluster: one executor per Worker (1 core, 1g), event log on, and the Java 17 flags on the
     * driver JVM and, through spark.executor.extraJavaOptions, on the executors.
     *
     * @param name     short name for the log file and the event log folder
     * @param conf     further Spark settings (--conf key=value)
     * @param timeout  past it the driver's process tree is killed and the exit code is -1
     */
    Submission submit(String name, AppJar jar, Map<String, String> conf, List<String> appArgs, Duration timeout) throws IOException, InterruptedException {
        Path events = Files.createDirectories(dir.resolve("events").resolve(name));
        Map<String, String> all = new LinkedHashMap<>();
        all.put("spark.executor.cores", "1");
        all.put("spark.executor.extraJavaOptions", String.join(" ", jvmOpens) + " " + QUICK_JVM + " " + ND4J_NATIVE);
        // as README.md tells spark-submit users: the executors open OpenCL devices (device auto), and
        // libjsig keeps an OpenCL driver's signal handlers from killing them (bin/jsig-preload)
        all.put("spark.executorEnv.LD_PRELOAD", Path.of(System.getProperty("java.home"), "lib", "libjsig.so").toString());
        all.put("spark.driver.host", "127.0.0.1");
        all.put("spark.ui.enabled", "false");
        // Tasks start only once every executor is registered, so the work spreads over all of them.
        all.put("spark.scheduler.minRegisteredResourcesRatio", "1.0");
        all.put("spark.scheduler.maxRegisteredResourcesWaitingTime", "120s");
        all.put("spark.dynamicAllocation.enabled", "false");
        all.put("spark.eventLog.enabled", "true");
        all.put("spark.eventLog.dir", events.toUri().toString());
        all.put("spark.eventLog.compress", "false");
        // One plain file per application (Spark 4 otherwise writes a folder of rolled files).
        all.put("spark.eventLog.rolling.enabled", "false");
        all.putAll(conf);
        List<String> args = new ArrayList<>(List.of("--master", masterUrl(), "--deploy-mode", "client", "--name", "bragg-it-" + name,
                "--class", "bragg.jobs.Main", "--total-executor-cores", String.valueOf(workers), "--executor-memory", EXECUTOR_MEMORY));
        all.forEach((k, v) -> {
            args.add("--conf");
            args.add(k + "=" + v);
        });
        args.add(jar.path().toString());
        args.addAll(appArgs);
        // In client mode the driver is this JVM: its heap and flags are set here, not by
        // spark.driver.memory / spark.driver.extraJavaOptions (those need bin/spark-submit's launcher).
        List<String> driverJvm = jvm(DRIVER_HEAP);
        driverJvm.addAll(List.of(ND4J_NATIVE.split(" ")));
        try (ChildJvm p = ChildJvm.start("spark-submit " + name, driverJvm, home.classpath(), "org.apache.spark.deploy.SparkSubmit",
                args, env(), dir.resolve("logs").resolve("submit-" + name + ".log"))) {
            int code = p.waitFor(timeout);
            return new Submission(name, code, p.log(), events);
        }
    }

    /**
     * spark.executor.extraJavaOptions for a measurement: the Java 17 flags and ND4J's bounds
     * without {@link #QUICK_JVM}, whose C1-only JIT leaves the Vector API kernels uncompiled
     * and the timings those of a test, not of a user's executors.
     */
    String fullJitExecutorOptions() {
        return String.join(" ", jvmOpens) + " " + ND4J_NATIVE;
    }

    private List<String> jvm(String... more) {
        List<String> a = new ArrayList<>(jvmOpens);
        a.addAll(List.of(QUICK_JVM.split(" ")));
        a.addAll(List.of(more));
        return a;
    }

    private Map<String, String> env() {
        Map<String, String> env = new LinkedHashMap<>(home.env());
        env.put("SPARK_LOCAL_DIRS", dir.resolve("local").toString());
        return env;
    }

    /**
     * Workers first (each takes its executors down with it), then the Master; then the copies
     * of the application jar in the Workers' work dirs go (one per executor, as big as the jar),
     * while the executors' stdout/stderr next to them stay for reading.
     */
    @Override
    public void close() {
        for (int i = daemons.size() - 1; i >= 0; i--) daemons.get(i).close();
        daemons.clear();
        for (int i = 0; i < workers; i++) {
            Path work = dir.resolve("worker-" + i);
            if (!Files.isDirectory(work)) continue;
            try (Stream<Path> s = Files.walk(work)) {
                for (Path jar : s.filter(p -> p.toString().endsWith(".jar") && Files.isRegularFile(p)).toList()) Files.delete(jar);
            } catch (IOException e) {
                System.err.println("cluster test: could not delete the jar copies under " + work + ": " + e);
            }
        }
    }
}
