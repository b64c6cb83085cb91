package bragg.driver.preprocess;

import bragg.driver.io.ArrayInfo;
import bragg.driver.io.Hdf5Source;
import bragg.driver.io.ImageSource;
import bragg.driver.io.SampleSource;
import bragg.driver.io.Slab;
import bragg.driver.io.SlabReader;
import bragg.driver.io.Sources;
import bragg.driver.shards.Manifest;
import bragg.driver.shards.PatternCodec;
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
import java.util.Collections;
import java.util.HexFormat;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.NoSuchElementException;
import java.util.concurrent.CompletableFuture;
import org.apache.spark.api.java.JavaRDD;
import org.apache.spark.api.java.JavaSparkContext;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.storage.StorageLevel;

/**
 * The preprocess Spark job: raw file -> training shards.
 * <ol>
 * <li>Driver: open the input's header, load the small label/target tables, plan slabs.</li>
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
        SampleSource src = Sources.open(Path.of(opt.input()), opt.open());
        ArrayInfo info = src.info();
        if (info.sampleCount() == 0) throw new IllegalArgumentException(opt.input() + ": input holds no samples (shape " + Arrays.toString(info.shape()) + ")");
        boolean lpbf = opt.kind() != null ? opt.kind().equals("lpbf")
                : src instanceof ImageSource || info.format().equals("hdf5/peregrine");
        int[] sample = info.sampleShape();
        int h = sample[sample.length - 2];
        int w = sample[sample.length - 1];
        PatternTransform tf = new PatternTransform(h, w, opt.crop(), opt.bin(), opt.scale(), opt.center() && !lpbf);
        if (opt.center() && lpbf) throw new IllegalArgumentException("preprocess option center applies to 4dstem patterns only, not kind lpbf");
        if (lpbf && opt.tile() > 0 && (tf.outH() < opt.tile() || tf.outW() < opt.tile())) {
            throw new IllegalArgumentException("preprocess option tile " + opt.tile() + " is larger than the " + tf.outH() + "x" + tf.outW() + " layer after crop and bin");
        }
        if (lpbf && info.sampleCount() <= opt.layersBelow()) {
            throw new IllegalArgumentException(opt.input() + ": " + info.sampleCount() + " layers leave no layer with layers_below=" + opt.layersBelow() + " layers under it");
        }
        int tY = !lpbf || opt.tile() == 0 ? 1 : tf.outH() / opt.tile();
        int tX = !lpbf || opt.tile() == 0 ? 1 : tf.outW() / opt.tile();

        // Labels: an explicit file wins; else what the layout carries (class folders, Peregrine masks).
        int[] labels = null;
        boolean perTile = false;
        List<String> names = List.of();
        SampleSource[] masks = new SampleSource[0];
        if (opt.labels() != null) {
            long[] expected = lpbf ? new long[]{info.sampleCount(), tY, tX} : info.positionShape();
            LabelTable t;
            if (lpbf) {
                long[][] shp = new long[1][];
                LabelTable.readAll(Path.of(opt.labels()), shp);
                perTile = !(shp[0].length == 1 && shp[0][0] == info.sampleCount());
                t = LabelTable.load(opt.labels(), perTile ? expected : new long[]{info.sampleCount()}, opt.input(), opt.labelNames());
            } else {
                t = LabelTable.load(opt.labels(), expected, opt.input(), opt.labelNames());
            }
            labels = t.labels();
            names = t.names();
        } else if (src.layoutLabels() != null) {
            labels = src.layoutLabels();
            names = src.labelNames();
        } else if (src instanceof Hdf5Source hs && lpbf && !hs.labelMasks().isEmpty()) {
            List<String> n = new ArrayList<>(List.of("none"));
            masks = new SampleSource[hs.labelMasks().size()];
            int i = 0;
            for (Map.Entry<String, String> e : hs.labelMasks().entrySet()) {
                n.add(e.getKey());
                masks[i] = hs.sibling(e.getValue());
                if (!Arrays.equals(masks[i].info().shape(), info.shape())) {
                    throw new IllegalArgumentException(opt.input() + ": label mask " + e.getValue() + " has shape " + Arrays.toString(masks[i].info().shape())
                            + ", expected the layer stack's " + Arrays.toString(info.shape()));
                }
                i++;
            }
            names = n;
        }
        float[] targets = null;
        int[] per = {0};
        if (opt.targets() != null) {
            if (lpbf) throw new IllegalArgumentException("preprocess option targets applies to kind 4dstem only");
            targets = LabelTable.loadTargets(opt.targets(), info.positionShape(), opt.input(), per);
        }
        int[] crop = opt.crop() == null ? new int[]{0, 0, h, w} : opt.crop();
        SlabProcessor proc = new SlabProcessor(src, tf, lpbf, opt.layersBelow(), opt.tile(), labels, perTile, targets, per[0], masks, crop, opt.bin());
        int[] shape = proc.sampleShape();
        int labelCount = names.size();

        // Slabs: about 32 MB of floats each; partitions: one Parquet file per ~128 MB of raw input.
        int perSlab = opt.slabSamples() > 0 ? opt.slabSamples() : (int) Math.max(1, Math.min(1 << 20, (8L << 20) / info.sampleSize()));
        long total = info.sampleCount();
        int slabCount = Math.toIntExact((total + perSlab - 1) / perSlab);
        JavaSparkContext jsc = JavaSparkContext.fromSparkContext(spark.sparkContext());
        // Default: a whole number of waves over the cores (17 tasks on 2 cores would leave one idle
        // for the last task), so both passes keep every core busy to the end.
        int cores = jsc.defaultParallelism();
        int parts = opt.partitions() > 0 ? opt.partitions()
                : (int) Math.ceil(Math.max(1, Math.ceil(info.rawBytes() / (128.0 * (1 << 20))) / cores)) * cores;
        parts = Math.min(parts, slabCount);
        // The RDD holds slab numbers only (Spark's Kryo cannot build Java records); each task
        // turns its numbers into sample ranges and reads them itself.
        List<Integer> slabIds = new ArrayList<>(slabCount);
        for (int i = 0; i < slabCount; i++) slabIds.add(i);
        JavaRDD<Integer> rdd = jsc.parallelize(slabIds, parts);

        // Checksums of the inputs run as their own Spark job, concurrently with the statistics pass.
        CompletableFuture<List<Manifest.Source>> sums = opt.checksums()
                ? CompletableFuture.supplyAsync(() -> {
                    List<String> hex = jsc.parallelize(src.files(), Math.max(1, src.files().size())).map(PreprocessJob::sha256).collect();
                    List<Manifest.Source> out = new ArrayList<>();
                    for (int i = 0; i < hex.size(); i++) out.add(new Manifest.Source(src.files().get(i), hex.get(i)));
                    return out;
                })
                : CompletableFuture.completedFuture(src.files().stream().map(f -> new Manifest.Source(f, "")).toList());

        // 4dstem slabs whose transformed patterns take no more bytes than their raw input (bin 2 or 4,
        // or float input) are read and transformed once: the statistics pass caches them on the
        // executors' local disk (not in memory, so heap use does not grow with the input) and the
        // write pass reads them back. Otherwise each pass reads the raw file again.
        long rawPerSample = (long) info.sampleSize() * info.dtype().size;
        int patternLength = shape[0] * shape[1] * shape[2];
        boolean readOnce = !lpbf && 4L * patternLength <= rawPerSample;
        JavaRDD<byte[]> cached = readOnce
                ? rdd.mapPartitions(it -> Iterators.map(new SlabIterator(proc, it, perSlab, total), l -> SlabBlob.encode(l, patternLength)))
                        .persist(StorageLevel.DISK_ONLY())
                : null;
        try {
            // Statistics pass: only a PreprocessStats object per task comes back to the driver.
            PreprocessStats st = (readOnce
                    ? cached.mapPartitions(it -> Collections.singletonList(stats(Iterators.flatMap(it, x -> SlabBlob.decode(x, proc)), labelCount)).iterator())
                    : rdd.mapPartitions(it -> Collections.singletonList(stats(Iterators.flatMap(new SlabIterator(proc, it, perSlab, total), List::iterator), labelCount)).iterator()))
                    .reduce(PreprocessStats::merge);

            if (st.nonFiniteSamples > 0 && opt.nonFinite().equals("fail")) {
                throw new IllegalArgumentException(opt.input() + ": " + st.nonFiniteSamples + " samples hold NaN or Inf; the first is sample "
                        + st.firstNonFinite + " (" + (lpbf ? "layer stack sample" : "position") + "); set non_finite=drop to drop them");
            }
            if (st.samples == 0) throw new IllegalArgumentException(opt.input() + ": no samples left to write (" + st.nonFiniteSamples + " dropped for NaN/Inf)");

            Map<String, Object> norm = new LinkedHashMap<>();
            norm.put("method", opt.normalize());
            norm.put("mean", st.mean());
            norm.put("std", st.std());
            norm.put("max", st.max);
            norm.put("min", st.min);
            norm.put("applied_after", "center,crop,bin,scale");
            final float a;   // out = (x - a) * b, or per-pattern standardisation
            final float b;
            switch (opt.normalize()) {
                case "global" -> {
                    a = (float) st.mean();
                    b = st.std() > 0 ? (float) (1.0 / st.std()) : 1f;
                }
                case "max" -> {
                    a = 0f;
                    b = st.max > 0 ? (float) (1.0 / st.max) : 1f;
                }
                default -> {
                    a = 0f;
                    b = 1f;
                }
            }
            boolean perPattern = opt.normalize().equals("per_pattern");
            String dtype = opt.dtype();

            // Write pass: rows stream out of each partition slab by slab.
            JavaRDD<Row> rows = readOnce
                    ? cached.mapPartitions(it -> new RowIterator(Iterators.flatMap(it, x -> SlabBlob.decode(x, proc)), a, b, perPattern, dtype))
                    : rdd.mapPartitions(it -> new RowIterator(Iterators.flatMap(new SlabIterator(proc, it, perSlab, total), List::iterator), a, b, perPattern, dtype));
            Map<String, Long> counts = new LinkedHashMap<>();
            if (st.perLabel[0] > 0) counts.put("none", st.perLabel[0]);
            for (int i = 0; i < labelCount; i++) counts.put(names.get(i), st.perLabel[i + 1]);
            Map<String, Object> extra = new LinkedHashMap<>();
            extra.put("positions_shape", lpbf ? new long[]{info.sampleCount(), tY, tX} : info.positionShape());
            extra.put("input", Map.of("format", info.format(), "shape", info.shape(), "dtype", info.dtype().label(), "byte_order", info.byteOrder()));
            Map<String, Object> transform = new LinkedHashMap<>();
            transform.put("center", opt.center());
            transform.put("crop", crop);
            transform.put("bin", opt.bin());
            transform.put("scale", opt.scale());
            if (lpbf) {
                transform.put("tile", opt.tile());
                transform.put("layers_below", opt.layersBelow());
                transform.put("first_layer", opt.layersBelow());
            }
            extra.put("transform", transform);
            extra.put("non_finite", Map.of("policy", opt.nonFinite(), "samples", st.nonFiniteSamples));
            extra.put("clipped_negative_values", st.clippedNegative);
            extra.put("partitions", parts);
            extra.put("raw_reads", readOnce ? 1 : 2);
            extra.put("created_by", "bragg preprocess");
            List<Manifest.Source> sources = sums.join();
            Manifest m = new Manifest(1, lpbf ? "lpbf" : "4dstem", shape, dtype, st.samples, names, counts, norm, sources, extra);
            ShardWriter.write(spark.createDataFrame(rows, ShardSchema.SCHEMA), m, opt.output(), opt.overwrite(),
                    spark.sparkContext().hadoopConfiguration());
            return m;
        } finally {
            if (cached != null) cached.unpersist(false);
        }
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

    static Slab slab(int index, int perSlab, long total) {
        long first = (long) index * perSlab;
        return new Slab(first, (int) Math.min(perSlab, total - first));
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

    /** The input (and Peregrine mask) readers of one task. */
    private record Readers(SlabReader in, SlabReader[] masks) implements AutoCloseable {
        static Readers open(SlabProcessor p) throws IOException {
            SlabReader[] m = new SlabReader[p.masks.length];
            for (int i = 0; i < m.length; i++) m[i] = p.masks[i].open();
            return new Readers(p.source.open(), m);
        }

        @Override
        public void close() throws IOException {
            in.close();
            for (SlabReader r : masks) r.close();
        }
    }

    /**
     * The transformed samples of a partition's slabs, one slab at a time (a task holds one slab);
     * opens the readers at the first slab and closes them after the last.
     */
    private static final class SlabIterator implements Iterator<List<Sample>> {
        private final SlabProcessor proc;
        private final Iterator<Integer> slabs;
        private final int perSlab;
        private final long total;
        private Readers readers;

        SlabIterator(SlabProcessor proc, Iterator<Integer> slabs, int perSlab, long total) {
            this.proc = proc;
            this.slabs = slabs;
            this.perSlab = perSlab;
            this.total = total;
        }

        @Override
        public boolean hasNext() {
            boolean more = slabs.hasNext();
            if (!more && readers != null) {
                try {
                    readers.close();
                } catch (IOException e) {
                    throw new java.io.UncheckedIOException(e);
                }
                readers = null;
            }
            return more;
        }

        @Override
        public List<Sample> next() {
            try {
                if (readers == null) readers = Readers.open(proc);
                return proc.process(slab(slabs.next(), perSlab, total), readers.in, readers.masks);
            } catch (IOException e) {
                throw new java.io.UncheckedIOException(e);
            }
        }
    }

    /** Rows of one partition: the finite samples, normalised and encoded. */
    private static final class RowIterator implements Iterator<Row> {
        private final Iterator<Sample> samples;
        private final float a;
        private final float b;
        private final boolean perPattern;
        private final String dtype;
        private Sample next;

        RowIterator(Iterator<Sample> samples, float a, float b, boolean perPattern, String dtype) {
            this.samples = samples;
            this.a = a;
            this.b = b;
            this.perPattern = perPattern;
            this.dtype = dtype;
        }

        @Override
        public boolean hasNext() {
            while (next == null && samples.hasNext()) {
                Sample s = samples.next();
                if (s.finite()) next = s;
            }
            return next != null;
        }

        @Override
        public Row next() {
            if (!hasNext()) throw new NoSuchElementException();
            Sample s = next;
            next = null;
            float[] p = s.pattern();
            Normalize.apply(p, a, b, perPattern);
            return RowFactory.create(s.id(), s.pos(), s.label(), s.target(), PatternCodec.encode(p, 0, p.length, dtype));
        }
    }
}
