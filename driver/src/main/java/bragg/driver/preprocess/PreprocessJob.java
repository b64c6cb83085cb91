package bragg.driver.preprocess;

import bragg.driver.io.ArrayInfo;
import bragg.driver.io.SampleSource;
import bragg.driver.shards.Manifest;
import bragg.driver.shards.ShardWriter;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import org.apache.hadoop.conf.Configuration;
import org.apache.spark.TaskContext;
import org.apache.spark.api.java.JavaRDD;
import org.apache.spark.api.java.JavaSparkContext;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.broadcast.Broadcast;
import org.apache.spark.storage.StorageLevel;
import org.apache.spark.util.SerializableConfiguration;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The preprocess Spark job: raw file -> training shards.
 * <ol>
 * <li>Driver: {@link PreprocessPlan} opens the input's header, loads the small label/target
 *     tables, picks the {@link SampleLayout} and plans slabs and partitions.</li>
 * <li>Statistics pass: every task reads its slabs and transforms them (centre, crop, bin, scale)
 *     into one {@link SampleBlock} per slab, returning only moments, extremes, label counts and
 *     NaN/Inf counts.</li>
 * <li>Write pass: every task normalises its blocks with the global statistics and writes its own
 *     Parquet part file with parquet-hadoop ({@link WritePass}: no DataFrame rows), committed by
 *     rename; the shard folder is written under a temporary name and renamed when complete.</li>
 * </ol>
 * The transform, not the read, is what costs (decoding and summing every raw pixel is several
 * times slower than copying it from the page cache). So when the transformed slabs are no larger
 * than the raw ones (4dstem with bin 2 or 4), the statistics pass keeps them on the executors'
 * local disk (DISK_ONLY: heap use does not grow with the input) and the write pass reads them
 * back; otherwise (bin 1 of integer counts, LPBF tiles with layers below) the write pass reads and
 * transforms the raw file again. The manifest records which ({@code raw_reads}).
 */
public final class PreprocessJob {
    private static final Logger LOG = LoggerFactory.getLogger(PreprocessJob.class);

    private PreprocessJob() {
    }

    /** Runs the job and returns the manifest written to {@code opt.output()}. */
    public static Manifest run(SparkSession spark, PreprocessOptions opt) throws IOException {
        JavaSparkContext jsc = JavaSparkContext.fromSparkContext(spark.sparkContext());
        PreprocessPlan plan = PreprocessPlan.of(opt, jsc.defaultParallelism());
        CompletableFuture<List<Manifest.Source>> sums = checksums(jsc, plan.source(), opt.checksums());
        // The RDD holds slab numbers only (Spark's Kryo cannot build Java records); each task
        // turns its numbers into sample ranges and reads them itself. Blocks never leave their
        // task: each pass consumes its partition's blocks as they are made.
        List<Integer> slabIds = new ArrayList<>(plan.slabCount());
        for (int i = 0; i < plan.slabCount(); i++) slabIds.add(i);
        JavaRDD<Integer> rdd = jsc.parallelize(slabIds, plan.partitions());
        JavaRDD<byte[]> cached = plan.layout().cacheTransformed()
                ? rdd.mapPartitions(it -> Iterators.map(new SlabIterator(plan, it), SampleBlock::encode)).persist(StorageLevel.DISK_ONLY())
                : null;
        try {
            JavaRDD<SampleBlock> blocks = cached != null ? cached.map(SampleBlock::decode) : rdd.mapPartitions(it -> new SlabIterator(plan, it));
            // The statistics pass needs no patterns from the cache when their moments were stored.
            JavaRDD<SampleBlock> counted = cached != null ? cached.map(SampleBlock::decodeForStatistics) : blocks;
            long t0 = System.nanoTime();
            PreprocessStats st = statistics(counted, plan, opt);
            long t1 = System.nanoTime();
            Manifest m = write(spark, blocks, plan, opt, st, sums.join(), cached != null);
            LOG.info("preprocess {}: statistics pass {} s, write pass {} s ({} partitions, {} samples)", opt.input(),
                    String.format(Locale.ROOT, "%.2f", (t1 - t0) / 1e9), String.format(Locale.ROOT, "%.2f", (System.nanoTime() - t1) / 1e9),
                    plan.partitions(), st.samples);
            return m;
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
    private static PreprocessStats statistics(JavaRDD<SampleBlock> blocks, PreprocessPlan plan, PreprocessOptions opt) {
        int labelCount = plan.labelNames().size();
        PreprocessStats st = blocks.mapPartitions(it -> {
            PreprocessStats s = new PreprocessStats(labelCount);
            while (it.hasNext()) it.next().addTo(s);
            return List.of(s).iterator();
        }).reduce(PreprocessStats::merge);
        if (st.nonFiniteSamples > 0 && opt.nonFinite().equals("fail")) {
            throw new IllegalArgumentException(opt.input() + ": " + st.nonFiniteSamples + " samples hold NaN or Inf; the first is sample "
                    + st.firstNonFinite + " (" + plan.layout().sampleNoun() + "); set non_finite=drop to drop them");
        }
        if (st.samples == 0) throw new IllegalArgumentException(opt.input() + ": no samples left to write (" + st.nonFiniteSamples + " dropped for NaN/Inf)");
        return st;
    }

    /**
     * Write pass: each task writes its partition's blocks, normalised with the global statistics,
     * as one Parquet part file; returns the manifest as written, with its part files.
     */
    private static Manifest write(SparkSession spark, JavaRDD<SampleBlock> blocks, PreprocessPlan plan, PreprocessOptions opt,
                                  PreprocessStats st, List<Manifest.Source> sources, boolean cached) throws IOException {
        // out = (x - a) * b, or per-pattern standardisation
        float a = opt.normalize().equals("global") ? (float) st.mean() : 0f;
        float b = switch (opt.normalize()) {
            case "global" -> st.std() > 0 ? (float) (1.0 / st.std()) : 1f;
            case "max" -> st.max > 0 ? (float) (1.0 / st.max) : 1f;
            default -> 1f;
        };
        boolean perPattern = opt.normalize().equals("per_pattern");
        Manifest m = manifest(plan, opt, st, sources, cached);
        Configuration conf = spark.sparkContext().hadoopConfiguration();
        // Shipped once per executor, not with every task.
        Broadcast<SerializableConfiguration> taskConf = JavaSparkContext.fromSparkContext(spark.sparkContext()).broadcast(new SerializableConfiguration(conf));
        String tag = UUID.randomUUID().toString();
        try {
            return ShardWriter.write(dir -> {
                WritePass pass = new WritePass(a, b, perPattern, opt.dtype(), dir.toString(), tag);
                blocks.foreachPartition(it -> pass.write(TaskContext.getPartitionId(), TaskContext.get().taskAttemptId(), it, taskConf.value().value()));
            }, m, opt.output(), opt.overwrite(), conf);
        } finally {
            taskConf.destroy();
        }
    }

    /** The manifest of the shards, before their part files are listed. */
    private static Manifest manifest(PreprocessPlan plan, PreprocessOptions opt, PreprocessStats st, List<Manifest.Source> sources, boolean cached) {
        Map<String, Object> norm = new LinkedHashMap<>();
        norm.put("method", opt.normalize());
        norm.put("mean", st.mean());
        norm.put("std", st.std());
        norm.put("max", st.max);
        norm.put("min", st.min);
        norm.put("applied_after", "center,crop,bin,scale");
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
        return new Manifest(1, plan.layout().kind(), plan.layout().sampleShape(), opt.dtype(), st.samples, names, counts, norm, sources, extra);
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
