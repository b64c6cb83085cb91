package bragg.driver.preprocess;

import bragg.driver.io.ArrayInfo;
import bragg.driver.io.SampleSource;
import bragg.driver.shards.Manifest;
import bragg.driver.shards.ShardWriter;
import java.io.IOException;
import java.io.InputStream;
import java.io.Serializable;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HexFormat;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.stream.IntStream;
import org.apache.hadoop.conf.Configuration;
import org.apache.spark.TaskContext;
import org.apache.spark.api.java.JavaRDD;
import org.apache.spark.api.java.JavaSparkContext;
import org.apache.spark.broadcast.Broadcast;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.util.LongAccumulator;
import org.apache.spark.util.SerializableConfiguration;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import scala.Tuple2;
import scala.jdk.javaapi.CollectionConverters;
import scala.reflect.ClassTag$;

/**
 * The preprocess Spark job: raw file -> training shards.
 * <ol>
 * <li>Driver: {@link PreprocessPlan} opens the input's header, loads the small label/target
 *     tables, picks the {@link SampleLayout} and plans slabs and partitions.</li>
 * <li>Statistics pass: every task reads its slabs and transforms them (centre, crop, bin, scale)
 *     into one {@link SampleBlock} per slab, gathering moments, extremes, label counts and
 *     NaN/Inf counts as the blocks are made; only those come back to the driver, merged there
 *     in partition order (the same sums whatever order the tasks finish in).</li>
 * <li>Write pass: every task normalises its blocks with the global statistics and writes its own
 *     Parquet part file with parquet-hadoop ({@link WritePass}: no DataFrame rows), committed by
 *     rename; the shard folder is written under a temporary name and renamed when complete.</li>
 * </ol>
 * The transform, not the read, is what costs (decoding and summing every raw pixel is several
 * times slower than copying it from the page cache). So when the transformed slabs are no larger
 * than the raw ones (4dstem with bin 2 or 4), the statistics pass keeps them in a file on its
 * executor's local disk ({@link BlockCache}: heap use does not grow with the input) and the write
 * pass, run on the same executor, reads them back; otherwise (bin 1 of integer counts, LPBF tiles
 * with layers below), or where a kept file is not on the write task's host, the write pass reads
 * and transforms the raw slabs again. The manifest records what was planned ({@code raw_reads}).
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
        long t0 = System.nanoTime();
        List<PassOne> first = statisticsPass(jsc, plan);
        PreprocessStats st;
        long t1;
        Manifest m;
        try {
            st = merged(first, plan, opt);
            t1 = System.nanoTime();
            m = write(spark, first, plan, opt, st, sums.join());
        } catch (IOException | RuntimeException e) {
            discard(jsc, first);
            throw e;
        }
        LOG.info("preprocess {}: statistics pass {} s, write pass {} s ({} partitions, {} samples)", opt.input(),
                String.format(Locale.ROOT, "%.2f", (t1 - t0) / 1e9), String.format(Locale.ROOT, "%.2f", (System.nanoTime() - t1) / 1e9),
                plan.partitions(), st.samples);
        return m;
    }

    /**
     * What one task of the statistics pass returns: its partition, its statistics, and where it
     * kept its blocks (null: not kept). A class, not a record: Spark's Kryo cannot set a record's fields.
     */
    static final class PassOne implements Serializable {
        final int partition;
        final PreprocessStats stats;
        final BlockCache.Ref cache;

        PassOne(int partition, PreprocessStats stats, BlockCache.Ref cache) {
            this.partition = partition;
            this.stats = stats;
            this.cache = cache;
        }
    }

    /**
     * Statistics pass: each task transforms its slabs, adds each block to its statistics and,
     * when the layout caches them, keeps the blocks on its executor's local disk.
     */
    static List<PassOne> statisticsPass(JavaSparkContext jsc, PreprocessPlan plan) {
        int labelCount = plan.labelNames().size();
        boolean keep = plan.layout().cacheTransformed();
        // One element per partition, its number: each task turns it into its slabs and reads them
        // itself (Spark's Kryo cannot build Java records, and blocks never leave their task).
        List<Integer> parts = IntStream.range(0, plan.partitions()).boxed().toList();
        return jsc.parallelize(parts, parts.size()).map(part -> {
            PreprocessStats s = new PreprocessStats(labelCount);
            SlabIterator blocks = new SlabIterator(plan, plan.slabsOf(part));
            BlockCache.Ref ref = null;
            if (keep) ref = BlockCache.write(blocks, b -> b.addTo(s));
            else while (blocks.hasNext()) blocks.next().addTo(s);
            return new PassOne(part, s, ref);
        }).collect().stream().sorted(Comparator.comparingInt((PassOne p) -> p.partition)).toList();
    }

    /** The global statistics, merged in partition order (first is sorted by partition); fails on NaN/Inf under non_finite=fail and on an empty result. */
    private static PreprocessStats merged(List<PassOne> first, PreprocessPlan plan, PreprocessOptions opt) {
        PreprocessStats st = new PreprocessStats(plan.labelNames().size());
        for (PassOne p : first) st.merge(p.stats);
        if (st.nonFiniteSamples > 0 && opt.nonFinite().equals("fail")) {
            throw new IllegalArgumentException(opt.input() + ": " + st.nonFiniteSamples + " samples hold NaN or Inf; the first is sample "
                    + st.firstNonFinite + " (" + plan.layout().sampleNoun() + "); set non_finite=drop to drop them");
        }
        if (st.samples == 0) throw new IllegalArgumentException(opt.input() + ": no samples left to write (" + st.nonFiniteSamples + " dropped for NaN/Inf)");
        return st;
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

    /**
     * Write pass: each task writes its partition's blocks, normalised with the global statistics,
     * as one Parquet part file; returns the manifest as written, with its part files.
     */
    private static Manifest write(SparkSession spark, List<PassOne> first, PreprocessPlan plan, PreprocessOptions opt,
                                  PreprocessStats st, List<Manifest.Source> sources) throws IOException {
        // out = (x - a) * b, or per-pattern standardisation
        float a = opt.normalize().equals("global") ? (float) st.mean() : 0f;
        float b = switch (opt.normalize()) {
            case "global" -> st.std() > 0 ? (float) (1.0 / st.std()) : 1f;
            case "max" -> st.max > 0 ? (float) (1.0 / st.max) : 1f;
            default -> 1f;
        };
        boolean perPattern = opt.normalize().equals("per_pattern");
        boolean cached = plan.layout().cacheTransformed();
        Manifest m = manifest(plan, opt, st, sources, cached);
        Configuration conf = spark.sparkContext().hadoopConfiguration();
        JavaSparkContext jsc = JavaSparkContext.fromSparkContext(spark.sparkContext());
        // Shipped once per executor, not with every task.
        Broadcast<SerializableConfiguration> taskConf = jsc.broadcast(new SerializableConfiguration(conf));
        LongAccumulator reread = jsc.sc().longAccumulator("preprocess: partitions transformed again");
        String tag = UUID.randomUUID().toString();
        try {
            Manifest written = ShardWriter.write(dir -> {
                WritePass pass = new WritePass(a, b, perPattern, opt.dtype(), dir.toString(), tag);
                placed(jsc, first).foreach(p -> {
                    pass.write(p.partition, TaskContext.get().taskAttemptId(), blocksFor(plan, p, reread), taskConf.value().value());
                    BlockCache.delete(p.cache);
                });
            }, m, opt.output(), opt.overwrite(), conf);
            if (reread.value() > 0) {
                LOG.warn("preprocess {}: {} of {} partitions ran their write pass away from the executor that kept their blocks and read the input again",
                        opt.input(), reread.value(), plan.partitions());
            }
            return written;
        } finally {
            taskConf.destroy();
        }
    }

    /**
     * The blocks partition p writes: those its statistics task kept, where this host has them,
     * else its slabs transformed again (counted in reread when they had been kept elsewhere).
     */
    static Iterator<SampleBlock> blocksFor(PreprocessPlan plan, PassOne p, LongAccumulator reread) throws IOException {
        Iterator<SampleBlock> kept = BlockCache.read(p.cache);
        if (kept != null) return kept;
        if (p.cache != null && reread != null) reread.add(1);
        return new SlabIterator(plan, plan.slabsOf(p.partition));
    }

    /**
     * Deletes the kept blocks after a failed job, best effort (a long-lived session would
     * otherwise hold them until its executors end); the job's own error is what the caller sees.
     */
    private static void discard(JavaSparkContext jsc, List<PassOne> first) {
        if (first.stream().allMatch(p -> p.cache == null)) return;
        try {
            placed(jsc, first).foreach(p -> BlockCache.delete(p.cache));
        } catch (RuntimeException e) {
            LOG.warn("preprocess: could not delete the statistics pass's kept blocks after the failure: {}", e.toString());
        }
    }

    /**
     * The statistics pass's results as an RDD of one element per partition, each preferring the
     * executor that kept its blocks (makeRDD with locations: a ParallelCollectionRDD whose
     * partitions report them to the scheduler, as a cached RDD's blocks would).
     */
    private static JavaRDD<PassOne> placed(JavaSparkContext jsc, List<PassOne> first) {
        List<Tuple2<PassOne, scala.collection.immutable.Seq<String>>> located = new ArrayList<>();
        for (PassOne p : first) {
            List<String> where = p.cache == null ? List.of() : List.of(p.cache.location());
            located.add(new Tuple2<>(p, CollectionConverters.asScala(where).toList()));
        }
        return jsc.sc().makeRDD(CollectionConverters.asScala(located).toSeq(), ClassTag$.MODULE$.apply(PassOne.class)).toJavaRDD();
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
