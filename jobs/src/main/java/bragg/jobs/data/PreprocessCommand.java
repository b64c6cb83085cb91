package bragg.jobs.data;

import bragg.driver.preprocess.PreprocessJob;
import bragg.driver.preprocess.PreprocessOptions;
import bragg.driver.shards.Manifest;
import bragg.driver.spark.SparkSessions;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import org.apache.spark.sql.SparkSession;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** {@code bragg preprocess <input> --output <shards>}: the Spark job from raw files to training shards. */
@Command(name = "preprocess", mixinStandardHelpOptions = true,
        description = "Spark job: raw file -> Parquet training shards + manifest.json (statistics pass, then transform and write).")
public final class PreprocessCommand implements Callable<Integer> {
    @Parameters(index = "0", description = "raw input file or folder")
    String input;
    @Option(names = "--output", required = true, description = "shard folder to create (any Hadoop path)")
    String output;
    @Mixin
    InputOptions open;
    @Option(names = "--kind", description = "4dstem or lpbf (default: lpbf for image stacks and Peregrine HDF5)")
    String kind;
    @Option(names = "--labels", description = ".npy of integer labels per position (4dstem) or [layers, tiles_y, tiles_x] (lpbf)")
    String labels;
    @Option(names = "--label-names", split = ",", description = "names of the label indices (default <labels>.txt)")
    List<String> labelNames;
    @Option(names = "--targets", description = ".npy of float regression targets [positions..., T]")
    String targets;
    @Option(names = "--crop", description = "y,x,h,w in input pixels")
    String crop;
    @Option(names = "--bin", defaultValue = "1", description = "1, 2 or 4 (default ${DEFAULT-VALUE})")
    int bin;
    @Option(names = "--scale", defaultValue = "log", description = "none, log or sqrt (default ${DEFAULT-VALUE})")
    String scale;
    @Option(names = "--normalize", defaultValue = "global", description = "none, global, max or per_pattern (default ${DEFAULT-VALUE})")
    String normalize;
    @Option(names = "--center", description = "centre each pattern on its central-beam centre of mass")
    boolean center;
    @Option(names = "--non-finite", defaultValue = "fail", description = "fail or drop samples with NaN/Inf (default ${DEFAULT-VALUE})")
    String nonFinite;
    @Option(names = "--dtype", defaultValue = "float32", description = "float32 or float16 pattern bytes (default ${DEFAULT-VALUE})")
    String dtype;
    @Option(names = "--tile", defaultValue = "0", description = "lpbf tile side in output pixels, 0 = whole layer (default ${DEFAULT-VALUE})")
    int tile;
    @Option(names = "--layers-below", defaultValue = "0", description = "lpbf: K layers below stacked as channels (default ${DEFAULT-VALUE})")
    int layersBelow;
    @Option(names = "--slab-samples", defaultValue = "0", description = "samples per slab, 0 = about 32 MB of floats (default ${DEFAULT-VALUE})")
    int slabSamples;
    @Option(names = "--partitions", defaultValue = "0", description = "Parquet files, 0 = one per 128 MB raw (default ${DEFAULT-VALUE})")
    int partitions;
    @Option(names = "--overwrite", description = "replace an existing output")
    boolean overwrite;
    @Option(names = "--no-checksums", description = "skip the SHA-256 of the inputs in the manifest")
    boolean noChecksums;
    @Option(names = "--conf", description = "Spark setting key=value (repeatable)")
    Map<String, String> sparkConf = new HashMap<>();

    public PreprocessOptions options() {
        long[] c = bragg.driver.io.OpenOptions.parseShape("crop", crop);
        int[] ci = c == null ? null : Arrays.stream(c).mapToInt(Math::toIntExact).toArray();
        return new PreprocessOptions(input, open.toOpenOptions(), output, kind, labels, labelNames, targets, ci, bin, scale, normalize,
                center, nonFinite, dtype, tile, layersBelow, slabSamples, partitions, overwrite, !noChecksums);
    }

    @Override
    public Integer call() throws Exception {
        PreprocessOptions opt = options();
        SparkSession spark = SparkSessions.getOrCreate("bragg preprocess", sparkConf);
        try {
            long t0 = System.nanoTime();
            Manifest m = PreprocessJob.run(spark, opt);
            System.out.printf("wrote %d samples of %s %s to %s in %.1f s%n", m.count(), Arrays.toString(m.sampleShape()), m.dtype(), opt.output(),
                    (System.nanoTime() - t0) / 1e9);
            System.out.println("labels " + m.countsPerLabel() + ", normalization " + m.normalization());
        } finally {
            spark.stop();
        }
        return 0;
    }
}
