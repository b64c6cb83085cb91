package bragg.worker.train;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.StringReader;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Properties;
import java.util.UUID;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.zip.ZipEntry;
import java.util.zip.ZipInputStream;
import java.util.zip.ZipOutputStream;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.FSDataOutputStream;
import org.apache.hadoop.fs.FileStatus;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.Path;
import org.deeplearning4j.nn.graph.ComputationGraph;
import org.deeplearning4j.util.ModelSerializer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Checkpoints of one job in a folder reached through Hadoop's FileSystem API (file:, hdfs:,
 * s3a:). A checkpoint is ONE file {@code ckpt-<step>.zip} holding
 * <pre>
 *   model.zip         DL4J ModelSerializer: configuration, parameters, updater (Adam) state
 *   state.properties  step, epoch, cursor, seed, world size, code version, config, sha256 of model.zip and of metrics.csv
 *   metrics.csv       rank 0's metrics of the steps so far
 * </pre>
 * (state.properties itself is covered by the zip entry's CRC-32.)
 * It is written under a hidden temporary name ({@code _tmp-...}) and renamed when complete, so a
 * reader never sees a partial file under a checkpoint name; on object stores the rename is a copy
 * that appears whole. Only names matching {@code ckpt-<digits>.zip} are read. A checkpoint that
 * is damaged all the same (a disk or a copy truncated it, its content does not match its
 * checksums) is skipped with a warning naming it and why, and {@link #latest} resumes from the
 * newest one that is intact; when none is, that is one error listing each file and its fault.
 */
public final class CheckpointStore {
    private static final Logger LOG = LoggerFactory.getLogger(CheckpointStore.class);
    private static final Pattern NAME = Pattern.compile("ckpt-(\\d{10})\\.zip");
    private final Path dir;
    private final FileSystem fs;
    private final int keep;
    private final Configuration conf;

    /** @param keep how many newest checkpoints to keep (older ones are deleted after a write) */
    public CheckpointStore(String dir, Configuration hadoopConf, int keep) throws IOException {
        this.dir = new Path(dir);
        this.conf = hadoopConf;
        this.fs = this.dir.getFileSystem(hadoopConf);
        this.keep = Math.max(1, keep);
    }

    /**
     * The Hadoop configuration of {@link #CheckpointStore(String)}: the replica loop knows nothing of
     * Spark, so the Spark side sets Spark's own (with the spark.hadoop.* settings: s3a credentials,
     * HDFS HA names) before a replica trains; a fresh {@code Configuration} until it does.
     */
    private static volatile Configuration processConf;

    /** Makes {@link #CheckpointStore(String)} use {@code conf} in this JVM (every job of a Spark application shares it). */
    public static void useHadoopConfiguration(Configuration conf) {
        processConf = conf;
    }

    /** A store with the JVM's Hadoop configuration ({@link #useHadoopConfiguration}) keeping 2 checkpoints. */
    public CheckpointStore(String dir) throws IOException {
        this(dir, processConf != null ? processConf : new Configuration(), 2);
    }

    public Path dir() {
        return dir;
    }

    /** The Hadoop configuration this store opened its file system with. */
    public Configuration configuration() {
        return conf;
    }

    /** Writes a checkpoint of {@code graph} at {@code state} atomically; returns its path. */
    public Path write(ComputationGraph graph, TrainState state) throws IOException {
        byte[] model = serialize(graph, true);
        Properties p = new Properties();
        p.setProperty("format_version", "1");
        p.setProperty("step", Long.toString(state.step()));
        p.setProperty("epoch", Integer.toString(state.epoch()));
        p.setProperty("cursor", Integer.toString(state.cursor()));
        p.setProperty("seed", Long.toString(state.seed()));
        p.setProperty("world_size", Integer.toString(state.worldSize()));
        p.setProperty("code_version", state.codeVersion());
        p.setProperty("model_sha256", sha256(model));
        state.config().forEach((k, v) -> p.setProperty("config." + k, v));
        StringBuilder csv = new StringBuilder(StepMetrics.CSV_HEADER).append('\n');
        state.history().forEach(m -> csv.append(m.csv()).append('\n'));
        byte[] metrics = csv.toString().getBytes(StandardCharsets.UTF_8);
        p.setProperty("metrics_sha256", sha256(metrics));

        fs.mkdirs(dir);
        Path fin = new Path(dir, String.format("ckpt-%010d.zip", state.step()));
        Path tmp = new Path(dir, "_tmp-" + fin.getName() + "-" + UUID.randomUUID());
        try (FSDataOutputStream raw = fs.create(tmp, false); ZipOutputStream zip = new ZipOutputStream(raw)) {
            entry(zip, "model.zip", model);
            ByteArrayOutputStream props = new ByteArrayOutputStream();
            p.store(props, "bragg checkpoint");
            entry(zip, "state.properties", props.toByteArray());
            entry(zip, "metrics.csv", metrics);
        } catch (IOException e) {
            fs.delete(tmp, false);
            throw new IOException("writing checkpoint " + tmp + " failed: " + e.getMessage(), e);
        }
        if (fs.exists(fin)) {
            fs.delete(fin, false); // a retried attempt rewrites the same step; content is identical
        }
        if (!fs.rename(tmp, fin)) {
            fs.delete(tmp, false);
            throw new IOException("renaming checkpoint " + tmp + " to " + fin + " failed");
        }
        prune();
        LOG.info("checkpoint {} written (step {}, epoch {}, {} bytes of model)", fin, state.step(), state.epoch(), model.length);
        return fin;
    }

    private void prune() throws IOException {
        List<Long> steps = steps();
        for (int i = 0; i < steps.size() - keep; i++) {
            fs.delete(new Path(dir, String.format("ckpt-%010d.zip", steps.get(i))), false);
        }
    }

    /** Steps of the complete checkpoints, ascending. Temporary files are never listed. */
    public List<Long> steps() throws IOException {
        List<Long> out = new ArrayList<>();
        if (!fs.exists(dir)) {
            return out;
        }
        for (FileStatus st : fs.listStatus(dir)) {
            Matcher m = NAME.matcher(st.getPath().getName());
            if (st.isFile() && m.matches()) {
                out.add(Long.parseLong(m.group(1)));
            }
        }
        out.sort(Long::compare);
        return out;
    }

    /**
     * A checkpoint read back: the model (with updater state) and the state.
     *
     * @param skipped the newer checkpoints passed over, each "file: why"
     */
    public record Loaded(ComputationGraph graph, TrainState state, Path path, List<String> skipped) {
    }

    /**
     * The newest intact checkpoint, or empty when there is none; damaged newer ones are skipped
     * with a warning each.
     *
     * @throws IOException when there are checkpoints and none is intact, listing each one's fault
     */
    public Optional<Loaded> latest() throws IOException {
        List<Long> steps = steps();
        List<String> skipped = new ArrayList<>();
        for (int i = steps.size() - 1; i >= 0; i--) {
            Path file = new Path(dir, String.format("ckpt-%010d.zip", steps.get(i)));
            try {
                Loaded l = read(file);
                if (!skipped.isEmpty()) {
                    LOG.warn("resuming from {} (step {}); skipped {} newer damaged checkpoint(s)", file, l.state().step(),
                            skipped.size());
                }
                return Optional.of(new Loaded(l.graph(), l.state(), l.path(), List.copyOf(skipped)));
            } catch (IOException e) {
                LOG.warn("skipping damaged checkpoint: {}", e.getMessage());
                skipped.add(e.getMessage());
            }
        }
        if (!skipped.isEmpty()) {
            throw new IOException("all " + skipped.size() + " checkpoints in " + dir + " are unusable, so the run cannot "
                    + "resume (remove them to start over): " + String.join("; ", skipped));
        }
        return Optional.empty();
    }

    /** Reads and verifies one checkpoint file; every problem names the file. */
    public Loaded read(Path file) throws IOException {
        Map<String, byte[]> entries = new LinkedHashMap<>();
        try (InputStream in = fs.open(file); ZipInputStream zip = new ZipInputStream(in)) {
            for (ZipEntry e; (e = zip.getNextEntry()) != null; ) {
                entries.put(e.getName(), zip.readAllBytes());
            }
        } catch (IOException e) {
            throw new IOException("checkpoint " + file + " is unreadable (truncated or corrupt zip): " + e.getMessage(), e);
        }
        for (String need : List.of("model.zip", "state.properties", "metrics.csv")) {
            if (!entries.containsKey(need)) {
                throw new IOException("checkpoint " + file + " has no entry '" + need + "' (found " + entries.keySet() + ")");
            }
        }
        Properties p = new Properties();
        p.load(new StringReader(new String(entries.get("state.properties"), StandardCharsets.ISO_8859_1)));
        String want = p.getProperty("model_sha256", "");
        String got = sha256(entries.get("model.zip"));
        if (!want.equals(got)) {
            throw new IOException("checkpoint " + file + ": model.zip sha256 " + got + " does not match the recorded " + want);
        }
        String wantMetrics = p.getProperty("metrics_sha256");   // absent in checkpoints of earlier versions
        String gotMetrics = sha256(entries.get("metrics.csv"));
        if (wantMetrics != null && !wantMetrics.equals(gotMetrics)) {
            throw new IOException("checkpoint " + file + ": metrics.csv sha256 " + gotMetrics + " does not match the recorded "
                    + wantMetrics);
        }
        Map<String, String> config = new LinkedHashMap<>();
        for (String k : p.stringPropertyNames()) {
            if (k.startsWith("config.")) {
                config.put(k.substring(7), p.getProperty(k));
            }
        }
        List<StepMetrics> history = new ArrayList<>();
        try {
            parseHistory(entries.get("metrics.csv"), history);
        } catch (IllegalArgumentException e) {
            throw new IOException("checkpoint " + file + ": metrics.csv: " + e.getMessage(), e);
        }
        TrainState state;
        try {
            state = new TrainState(Long.parseLong(p.getProperty("step")), Integer.parseInt(p.getProperty("epoch")),
                    Integer.parseInt(p.getProperty("cursor")), Long.parseLong(p.getProperty("seed")),
                    Integer.parseInt(p.getProperty("world_size")), p.getProperty("code_version", "unknown"), config, history);
        } catch (NumberFormatException | NullPointerException e) {
            throw new IOException("checkpoint " + file + ": state.properties lacks or garbles step/epoch/cursor/seed/world_size", e);
        }
        ComputationGraph g;
        try {
            g = ModelSerializer.restoreComputationGraph(new ByteArrayInputStream(entries.get("model.zip")), true);
        } catch (IOException | RuntimeException e) {
            throw new IOException("checkpoint " + file + ": model.zip does not restore: " + e.getMessage(), e);
        }
        return new Loaded(g, state, file, List.of());
    }

    private static void parseHistory(byte[] csv, List<StepMetrics> out) {
        String[] lines = new String(csv, StandardCharsets.UTF_8).split("\n");
        for (int i = 1; i < lines.length; i++) {
            if (!lines[i].isBlank()) {
                out.add(StepMetrics.parseCsv(lines[i]));
            }
        }
    }

    /** DL4J's model zip of {@code graph} in memory. */
    public static byte[] serialize(ComputationGraph graph, boolean withUpdater) throws IOException {
        ByteArrayOutputStream bo = new ByteArrayOutputStream();
        ModelSerializer.writeModel(graph, bo, withUpdater);
        return bo.toByteArray();
    }

    /** Writes {@code bytes} to {@code target} through a temporary name and a rename. */
    public static void writeAtomically(String target, byte[] bytes, Configuration conf) throws IOException {
        Path fin = new Path(target);
        FileSystem fs = fin.getFileSystem(conf);
        Path tmp = new Path(fin.getParent(), "_tmp-" + fin.getName() + "-" + UUID.randomUUID());
        try (OutputStream o = fs.create(tmp, false)) {
            o.write(bytes);
        }
        if (fs.exists(fin)) {
            fs.delete(fin, false);
        }
        if (!fs.rename(tmp, fin)) {
            fs.delete(tmp, false);
            throw new IOException("renaming " + tmp + " to " + fin + " failed");
        }
    }

    private static void entry(ZipOutputStream zip, String name, byte[] bytes) throws IOException {
        zip.putNextEntry(new ZipEntry(name));
        zip.write(bytes);
        zip.closeEntry();
    }

    static String sha256(byte[] b) {
        try {
            return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(b));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-256 missing from this JVM", e);
        }
    }
}
