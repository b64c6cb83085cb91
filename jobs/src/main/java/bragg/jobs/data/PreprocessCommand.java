package bragg.jobs.data;

import bragg.driver.io.OpenOptions;
import bragg.driver.preprocess.PreprocessJob;
import bragg.driver.preprocess.PreprocessOptions;
import bragg.driver.shards.Manifest;
import bragg.driver.spark.SparkSessions;
import bragg.jobs.config.BraggConfig;
import bragg.jobs.config.BraggKeys;
import bragg.jobs.config.ConfigKey;
import bragg.jobs.config.ConfigMapping;
import bragg.jobs.report.Json;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Callable;
import org.apache.spark.sql.SparkSession;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/**
 * {@code bragg preprocess <config> [--set ...]}, or {@code bragg preprocess <input> --output
 * <shards> [options]}: the Spark job from raw files to training shards. Each option is a short
 * name for one config key; the job reads the keys only, so both forms behave the same.
 */
@Command(name = "preprocess", mixinStandardHelpOptions = true,
        description = {"Spark job: raw file -> Parquet training shards + manifest.json (statistics pass, then "
                + "transform and write). Reads bragg.data.input and writes bragg.data.shards; give a config file "
                + "(bin/bragg preprocess conf/vit-4dstem.conf), or the raw input itself with options, or both "
                + "(options and --set win over the file). The last line is one JSON object.",
                "Config keys: bragg.data.* (input, kind, dataset, scan, shape, dtype, byte-order, offset, "
                + "image-size, channels, labels, targets, shards), bragg.preprocess.*, spark.*"})
public final class PreprocessCommand implements Callable<Integer> {
    @Parameters(index = "0", arity = "0..1", paramLabel = "<config|input>",
            description = "A config file (.conf or .json), or the raw input file or folder (bragg.data.input).")
    String first;
    @Option(names = "--input", description = "raw input file or folder (bragg.data.input)")
    String input;
    @Option(names = "--output", description = "shard folder to create, any Hadoop path (bragg.data.shards)")
    String output;
    @Option(names = "--set", paramLabel = "key=value",
            description = "Override one config key, e.g. --set bragg.preprocess.bin=2. Repeatable; wins over the options.")
    List<String> overrides = new ArrayList<>();
    @Mixin
    InputOptions open;
    @Option(names = "--kind", description = "4dstem, lpbf or auto (bragg.data.kind)")
    String kind;
    @Option(names = "--labels", description = ".npy of integer labels per position (4dstem) or [layers, tiles_y, tiles_x] "
            + "(lpbf) (bragg.data.labels)")
    String labels;
    @Option(names = "--label-names", split = ",", description = "names of the label indices (default: <labels>.txt)")
    List<String> labelNames;
    @Option(names = "--targets", description = ".npy of float regression targets [positions..., T] (bragg.data.targets)")
    String targets;
    @Option(names = "--crop", description = "y,x,h,w in input pixels (bragg.preprocess.crop)")
    String crop;
    @Option(names = "--bin", description = "1, 2 or 4 (bragg.preprocess.bin)")
    Integer bin;
    @Option(names = "--scale", description = "none, log or sqrt (bragg.preprocess.scale)")
    String scale;
    @Option(names = "--normalize", description = "none, global, max or per_pattern (bragg.preprocess.normalize)")
    String normalize;
    @Option(names = "--center", description = "centre each pattern on its central-beam centre of mass (bragg.preprocess.center)")
    Boolean center;
    @Option(names = "--non-finite", description = "fail or drop samples with NaN/Inf (bragg.preprocess.non-finite)")
    String nonFinite;
    @Option(names = "--dtype", description = "float32 or float16 pattern bytes (bragg.preprocess.dtype)")
    String dtype;
    @Option(names = "--tile", description = "lpbf tile side in output pixels, 0 = whole layer (bragg.preprocess.tile)")
    Integer tile;
    @Option(names = "--layers-below", description = "lpbf: K layers below stacked as channels (bragg.preprocess.layers-below)")
    Integer layersBelow;
    @Option(names = "--slab-samples", description = "samples per slab, 0 = about 32 MB of floats (bragg.preprocess.slab-samples)")
    Integer slabSamples;
    @Option(names = "--partitions", description = "Parquet files, 0 = one per 128 MB raw (bragg.preprocess.partitions)")
    Integer partitions;
    @Option(names = "--overwrite", description = "replace an existing output (bragg.preprocess.overwrite)")
    Boolean overwrite;
    @Option(names = "--no-checksums", description = "skip the SHA-256 of the inputs in the manifest (bragg.preprocess.checksums)")
    Boolean noChecksums;
    @Option(names = "--conf", paramLabel = "spark.key=value", description = "Spark setting (repeatable; same as --set spark.key=value)")
    Map<String, String> sparkConf = new LinkedHashMap<>();

    /** The config the job runs with: the file (if the first argument is one), the options, then --set. */
    public BraggConfig config() {
        Path file = null;
        String raw = input;
        if (first != null) {
            if (isConfigFile(first)) {
                file = Path.of(first);
            } else if (input != null) {
                throw new IllegalArgumentException("preprocess: the raw input is given twice, as '" + first + "' and as --input "
                        + input + " (a first argument ending in .conf or .json is a config file)");
            } else {
                raw = first;
            }
        }
        List<BraggConfig.Setting> s = new ArrayList<>();
        set(s, "--input", raw, BraggKeys.DATA_INPUT);
        set(s, "--output", output, BraggKeys.DATA_SHARDS);
        set(s, "--dataset", open.dataset, BraggKeys.DATA_DATASET);
        set(s, "--shape", ints("shape", open.shape), BraggKeys.DATA_SHAPE);
        set(s, "--input-dtype", open.dtype, BraggKeys.DATA_DTYPE);
        set(s, "--byte-order", open.byteOrder, BraggKeys.DATA_BYTE_ORDER);
        set(s, "--offset", open.offset, BraggKeys.DATA_OFFSET);
        set(s, "--scan", ints("scan", open.scan), BraggKeys.DATA_SCAN);
        set(s, "--image-size", ints("image_size", open.imageSize), BraggKeys.DATA_IMAGE_SIZE);
        set(s, "--channels", open.channels, BraggKeys.DATA_CHANNELS);
        set(s, "--kind", kind, BraggKeys.DATA_KIND);
        set(s, "--labels", labels, BraggKeys.DATA_LABELS);
        set(s, "--targets", targets, BraggKeys.DATA_TARGETS);
        set(s, "--crop", ints("crop", crop), BraggKeys.PRE_CROP);
        set(s, "--bin", bin, BraggKeys.PRE_BIN);
        set(s, "--scale", scale, BraggKeys.PRE_SCALE);
        set(s, "--normalize", normalize, BraggKeys.PRE_NORMALIZE);
        set(s, "--center", center, BraggKeys.PRE_CENTER);
        set(s, "--non-finite", nonFinite, BraggKeys.PRE_NON_FINITE);
        set(s, "--dtype", dtype, BraggKeys.PRE_DTYPE);
        set(s, "--tile", tile, BraggKeys.PRE_TILE);
        set(s, "--layers-below", layersBelow, BraggKeys.PRE_LAYERS_BELOW);
        set(s, "--slab-samples", slabSamples, BraggKeys.PRE_SLAB);
        set(s, "--partitions", partitions, BraggKeys.PRE_PARTITIONS);
        set(s, "--overwrite", overwrite, BraggKeys.PRE_OVERWRITE);
        set(s, "--no-checksums", noChecksums == null ? null : !noChecksums, BraggKeys.PRE_CHECKSUMS);
        sparkConf.forEach((k, v) -> s.add(new BraggConfig.Setting(k, v, "--conf " + k + "=" + v)));
        return BraggConfig.load(file, s, overrides);
    }

    /** The job's options: {@link ConfigMapping#preprocess} of {@link #config()}, plus --label-names (no key). */
    public PreprocessOptions options(BraggConfig c) {
        PreprocessOptions o = ConfigMapping.preprocess(c);
        return labelNames == null ? o : o.withLabelNames(labelNames);
    }

    @Override
    public Integer call() throws Exception {
        BraggConfig c = config();
        PreprocessOptions opt = options(c);
        SparkSession spark = SparkSessions.getOrCreate("bragg preprocess", c.sparkConf());
        try {
            long t0 = System.nanoTime();
            Manifest m = PreprocessJob.run(spark, opt);
            double seconds = (System.nanoTime() - t0) / 1e9;
            System.out.printf(Locale.ROOT, "wrote %d samples of %s %s to %s in %.1f s%n", m.count(),
                    Arrays.toString(m.sampleShape()), m.dtype(), opt.output(), seconds);
            System.out.println("labels " + m.countsPerLabel() + ", normalization " + m.normalization());
            Map<String, Object> last = new LinkedHashMap<>();
            last.put("shards", opt.output());
            last.put("samples", m.count());
            last.put("sample_shape", Arrays.stream(m.sampleShape()).boxed().toList());
            last.put("labels", m.labelNames());
            last.put("seconds", seconds);
            System.out.println(Json.write(last));
        } finally {
            spark.stop();
        }
        return 0;
    }

    static boolean isConfigFile(String arg) {
        String a = arg.toLowerCase(Locale.ROOT);
        return a.endsWith(".conf") || a.endsWith(".json");
    }

    private static void set(List<BraggConfig.Setting> s, String option, Object value, ConfigKey<?> key) {
        if (value != null) {
            String shown = value instanceof List<?> l ? String.join(",", l.stream().map(String::valueOf).toList())
                    : String.valueOf(value);
            s.add(new BraggConfig.Setting(key.path(), value, option + " " + shown));
        }
    }

    /** "8,256,256" as a list for an int-list key; null stays null. */
    private static List<Integer> ints(String field, String csv) {
        long[] v = OpenOptions.parseShape(field, csv);
        return v == null ? null : Arrays.stream(v).mapToObj(Math::toIntExact).toList();
    }
}
