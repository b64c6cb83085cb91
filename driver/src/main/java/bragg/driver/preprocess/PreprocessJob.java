package bragg.driver.preprocess;

import bragg.driver.io.ArrayInfo;
import bragg.driver.io.SampleSource;
import bragg.driver.shards.Manifest;
import bragg.driver.shards.ShardSchema;
import bragg.driver.shards.ShardWriter;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import org.apache.spark.api.java.JavaRDD;
import org.apache.spark.api.java.JavaSparkContext;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.storage.StorageLevel;

/**
 * The preprocess Spark job: raw file -> training shards.
 * <ol>
 * <li>Driver: {@link PreprocessPlan} opens the input's header, loads the small label/target
 *     tables, picks the {@link SampleLayout} and plans slabs and partitions.</li>
 * <li>Statistics pass: every task reads its slabs and transforms them (centre, crop, bin, scale),
 *     returning only moments, extremes, label counts and NaN/Inf counts.</li>
 * <li>Write pass: tasks normalise the transformed slabs with the global statistics and emit
 *     Parquet rows; the shard folder is written under a temporary name and renamed when complete.</li>
 * </ol>
 * The transform, not the read, is what costs (decoding and summing every raw pixel is several
 * times slower than copying it from the page cache). So when the transformed slabs are no larger
 * than the raw ones (4dstem with bin 2 or 4), the statistics pass keeps them on the executors'
 * local disk (DISK_ONLY: heap use does not grow with the input) and the write pass reads them
 * back; otherwise (bin 1 of integer counts, LPBF tiles with layers below) the write pass reads and
 * transforms the raw file again. The manifest records which ({@code raw_reads}).
 */
public final class PreprocessJob {
    private PreprocessJob() {
    }

    /** Runs the job and returns the manifest written to {@code opt.output()}. */
    public static Manifest run(SparkSession spark, PreprocessOptions opt) throws IOException {
        JavaSparkContext jsc = JavaSparkContext.fromSparkContext(spark.sparkContext());
        PreprocessPlan plan = PreprocessPlan.of(opt, jsc.defaultParallelism());
        CompletableFuture<List<Manifest.Source>> sums = checksums(jsc, plan.source(), opt.checksums());
        // The RDD holds slab numbers only (Spark's Kryo cannot build Java records); each task
        // turns its numbers into sample ranges and reads them itself.
        List<Integer> slabIds = new ArrayList<>(plan.slabCount());
        for (int i = 0; i < plan.slabCount(); i++) slabIds.add(i);
        JavaRDD<Integer> rdd = jsc.parallelize(slabIds, plan.partitions());
        int patternLength = Arrays.stream(plan.layout().sampleShape()).reduce(1, (x, y) -> x * y);
        // Transformed slabs no larger than their raw input are kept on the executors' local disk
        // between the passes (DISK_ONLY: heap use does not grow with the input); otherwise each
        // pass reads and transforms the raw file again.
        PatternLayout cacheable = plan.layout() instanceof PatternLayout pl && pl.cacheTransformed() ? pl : null;
        JavaRDD<byte[]> cached = cacheable != null
                ? rdd.mapPartitions(it -> Iterators.map(new SlabIterator(plan, it), s -> SlabBlob.encode(s, patternLength))).persist(StorageLevel.DISK_ONLY())
                : null;
        try {
            // One element per partition: its lazy stream of samples, consumed inside the same task
            // by each pass (never collected, cached or shuffled).
            JavaRDD<Iterator<Sample>> samples = cached != null
                    ? cached.mapPartitions(it -> List.of(Iterators.flatMap(it, x -> SlabBlob.decode(x, cacheable))).iterator())
                    : rdd.mapPartitions(it -> List.of(Iterators.flatMap(new SlabIterator(plan, it), List::iterator)).iterator());
            PreprocessStats st = statistics(samples, plan, opt);
            return write(spark, samples, plan, opt, st, sums.join(), cached != null);
        } finally {
            if (cached != null) cached.unpersist(false);
        }
    }

    /** SHA-256 of the inputs as their own Spark job, concurrently with the statistics pass. */
    private static CompletableFuture<List<Manifest.Source>> checksums(JavaSparkContext jsc, SampleSource src, boolean on) {
        if (!on) return CompletableFuture.completedFuture(src.files().stream().map(f -> new Manifest.Source(f, "")).toList());
        return CompletableFuture.supplyAsync(() -> {
            List<String> hex = jsc.parallelize(src.files(), Math.max(1, src.files().size())).map(PreprocessJob::sha256).collect();
            List<Manifest.Source> out = new ArrayList<>();
            for (int i = 0; i < hex.size(); i++) out.add(new Manifest.Source(src.files().get(i), hex.get(i)));
            return out;
        });
    }

    /** Statistics pass: only a PreprocessStats object per task comes back to the driver. */
    private static PreprocessStats statistics(JavaRDD<Iterator<Sample>> samples, PreprocessPlan plan, PreprocessOptions opt) {
        int labelCount = plan.labelNames().size();
        PreprocessStats st = samples.map(it -> stats(it, labelCount)).reduce(PreprocessStats::merge);
        if (st.nonFiniteSamples > 0 && opt.nonFinite().equals("fail")) {
            throw new IllegalArgumentException(opt.input() + ": " + st.nonFiniteSamples + " samples hold NaN or Inf; the first is sample "
                    + st.firstNonFinite + " (" + plan.layout().sampleNoun() + "); set non_finite=drop to drop them");
        }
        if (st.samples == 0) throw new IllegalArgumentException(opt.input() + ": no samples left to write (" + st.nonFiniteSamples + " dropped for NaN/Inf)");
        return st;
    }

    /**
     * Write pass: rows stream out of each partition slab by slab, normalised with the global statistics;
     * returns the manifest as written, with its part files.
     */
    private static Manifest write(SparkSession spark, JavaRDD<Iterator<Sample>> samples, PreprocessPlan plan, PreprocessOptions opt,
                                  PreprocessStats st, List<Manifest.Source> sources, boolean cached) throws IOException {
        Map<String, Object> norm = new LinkedHashMap<>();
        norm.put("method", opt.normalize());
        norm.put("mean", st.mean());
        norm.put("std", st.std());
        norm.put("max", st.max);
        norm.put("min", st.min);
        norm.put("applied_after", "center,crop,bin,scale");
        // out = (x - a) * b, or per-pattern standardisation
        float a = opt.normalize().equals("global") ? (float) st.mean() : 0f;
        float b = switch (opt.normalize()) {
            case "global" -> st.std() > 0 ? (float) (1.0 / st.std()) : 1f;
            case "max" -> st.max > 0 ? (float) (1.0 / st.max) : 1f;
            default -> 1f;
        };
        boolean perPattern = opt.normalize().equals("per_pattern");
        String dtype = opt.dtype();
        JavaRDD<Row> rows = samples.flatMap(it -> new RowIterator(it, a, b, perPattern, dtype));
        List<String> names = plan.labelNames();
        Map<String, Long> counts = new LinkedHashMap<>();
        if (st.perLabel[0] > 0) counts.put("none", st.perLabel[0]);
        for (int i = 0; i < names.size(); i++) counts.put(names.get(i), st.perLabel[i + 1]);
        ArrayInfo info = plan.source().info();
        Map<String, Object> extra = new LinkedHashMap<>();
        extra.put("positions_shape", plan.layout().positionsShape());
        extra.put("input", Map.of("format", info.format(), "shape", info.shape(), "dtype", info.dtype().label(), "byte_order", info.byteOrder()));
        Map<String, Object> transform = new LinkedHashMap<>();
        transform.put("center", opt.center());
        transform.put("crop", plan.crop());
        transform.put("bin", opt.bin());
        transform.put("scale", opt.scale());
        plan.layout().describe(transform);
        extra.put("transform", transform);
        extra.put("non_finite", Map.of("policy", opt.nonFinite(), "samples", st.nonFiniteSamples));
        extra.put("clipped_negative_values", st.clippedNegative);
        extra.put("partitions", plan.partitions());
        extra.put("raw_reads", cached ? 1 : 2);
        extra.put("created_by", "bragg preprocess");
        Manifest m = new Manifest(1, plan.layout().kind(), plan.layout().sampleShape(), dtype, st.samples, names, counts, norm, sources, extra);
        return ShardWriter.write(spark.createDataFrame(rows, ShardSchema.SCHEMA), m, opt.output(), opt.overwrite(),
                spark.sparkContext().hadoopConfiguration());
    }

    /** The statistics of one partition's samples (non-finite ones only counted). */
    private static PreprocessStats stats(Iterator<Sample> it, int labelCount) {
        PreprocessStats s = new PreprocessStats(labelCount);
        while (it.hasNext()) {
            Sample x = it.next();
            if (!x.finite()) {
                s.nonFiniteSamples++;
                s.firstNonFinite = Math.min(s.firstNonFinite, x.id());
                continue;
            }
            s.samples++;
            s.clippedNegative += x.clipped();
            s.perLabel[x.label() + 1]++;
            s.addValues(x.pattern(), 0, x.pattern().length);
        }
        return s;
    }

    static String sha256(String file) throws IOException {
        try (InputStream in = Files.newInputStream(Path.of(file))) {
            MessageDigest md = MessageDigest.getInstance("SHA-256");
            byte[] buf = new byte[1 << 20];
            for (int n; (n = in.read(buf)) > 0; ) md.update(buf, 0, n);
            return HexFormat.of().formatHex(md.digest());
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }
}
