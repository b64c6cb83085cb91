package bragg.driver.preprocess;

import bragg.driver.io.OpenOptions;
import java.io.Serializable;
import java.util.Arrays;
import java.util.List;

/**
 * Everything the preprocess job needs, typed and validated; errors name the field (the config
 * system maps HOCON keys {@code preprocess.<field>} onto these). Use {@link #defaults(String, String)}
 * and the {@code with*} methods.
 *
 * @param input       raw file or folder
 * @param open        how to open it (dataset path, shape, dtype, scan, image size, ...)
 * @param output      shard folder to create
 * @param kind        "4dstem" (one sample per scan position) or "lpbf" (tiles of layers); null = from the format
 * @param labels      .npy of integer class labels, one per position (4dstem) or [layers, tiles_y, tiles_x] (lpbf); null = none
 *                    (image class folders and Peregrine masks give labels by themselves)
 * @param labelNames  names of the label indices; null = from {@code <labels>.txt} (one per line) or "0", "1", ...
 * @param targets     .npy of float regression targets [positions..., T]; null = none
 * @param crop        [y, x, h, w] in input pixels, applied after centring; null = whole pattern
 * @param bin         1, 2 or 4: sum of bin x bin pixels
 * @param scale       "none", "log" (log1p) or "sqrt"; negative values are clipped to 0 first and counted
 * @param normalize   "none", "global" ((x - mean) / std over the dataset), "max" (x / dataset max) or "per_pattern"
 * @param center      shift each pattern so its central-beam centre of mass is at the pattern centre (4dstem only)
 * @param nonFinite   "fail" or "drop": what to do with samples holding NaN or Inf (counted either way)
 * @param dtype       "float32" or "float16" pattern bytes
 * @param tile        lpbf: tile size in output pixels (0 = the whole layer is one sample)
 * @param layersBelow lpbf: K, the layers below each layer stacked as channels [K+1, tile, tile]
 * @param slabSamples samples (4dstem) or layers (lpbf) per slab read by a task; 0 = about 32 MB of floats
 * @param partitions  Parquet files to write; 0 = one per 128 MB of raw input (at least the default parallelism)
 * @param overwrite   replace an existing output folder
 * @param checksums   record SHA-256 of each input file in the manifest
 */
public record PreprocessOptions(String input, OpenOptions open, String output, String kind, String labels,
                                List<String> labelNames, String targets, int[] crop, int bin, String scale,
                                String normalize, boolean center, String nonFinite, String dtype, int tile,
                                int layersBelow, int slabSamples, int partitions, boolean overwrite,
                                boolean checksums) implements Serializable {

    public PreprocessOptions {
        require(input != null && !input.isBlank(), "input", "must be set (a file or folder)");
        require(output != null && !output.isBlank(), "output", "must be set (a folder to create)");
        if (open == null) open = OpenOptions.NONE;
        require(kind == null || kind.equals("4dstem") || kind.equals("lpbf"), "kind", "must be '4dstem' or 'lpbf', got '" + kind + "'");
        require(crop == null || (crop.length == 4 && crop[0] >= 0 && crop[1] >= 0 && crop[2] > 0 && crop[3] > 0), "crop",
                "must be [y, x, h, w] with y, x >= 0 and h, w > 0, got " + Arrays.toString(crop));
        require(bin == 1 || bin == 2 || bin == 4, "bin", "must be 1, 2 or 4, got " + bin);
        require(List.of("none", "log", "sqrt").contains(scale), "scale", "must be 'none', 'log' or 'sqrt', got '" + scale + "'");
        require(List.of("none", "global", "max", "per_pattern").contains(normalize), "normalize",
                "must be 'none', 'global', 'max' or 'per_pattern', got '" + normalize + "'");
        require(nonFinite.equals("fail") || nonFinite.equals("drop"), "non_finite", "must be 'fail' or 'drop', got '" + nonFinite + "'");
        require(dtype.equals("float32") || dtype.equals("float16"), "dtype", "must be 'float32' or 'float16', got '" + dtype + "'");
        require(tile >= 0, "tile", "must be >= 0 (0 = whole layer), got " + tile);
        require(layersBelow >= 0, "layers_below", "must be >= 0, got " + layersBelow);
        require(slabSamples >= 0, "slab_samples", "must be >= 0 (0 = automatic), got " + slabSamples);
        require(partitions >= 0, "partitions", "must be >= 0 (0 = automatic), got " + partitions);
        require(!(center && "lpbf".equals(kind)), "center", "applies to 4dstem patterns only, not kind lpbf");
        labelNames = labelNames == null ? null : List.copyOf(labelNames);
    }

    private static void require(boolean ok, String field, String what) {
        if (!ok) throw new IllegalArgumentException("preprocess option " + field + " " + what);
    }

    /** Defaults: no crop, bin 1, no scaling, global normalization, float32, fail on NaN/Inf, checksums on. */
    public static PreprocessOptions defaults(String input, String output) {
        return new PreprocessOptions(input, OpenOptions.NONE, output, null, null, null, null, null, 1, "none", "global", false,
                "fail", "float32", 0, 0, 0, 0, false, true);
    }

    public PreprocessOptions withOpen(OpenOptions v) { return new PreprocessOptions(input, v, output, kind, labels, labelNames, targets, crop, bin, scale, normalize, center, nonFinite, dtype, tile, layersBelow, slabSamples, partitions, overwrite, checksums); }
    public PreprocessOptions withKind(String v) { return new PreprocessOptions(input, open, output, v, labels, labelNames, targets, crop, bin, scale, normalize, center, nonFinite, dtype, tile, layersBelow, slabSamples, partitions, overwrite, checksums); }
    public PreprocessOptions withLabels(String v) { return new PreprocessOptions(input, open, output, kind, v, labelNames, targets, crop, bin, scale, normalize, center, nonFinite, dtype, tile, layersBelow, slabSamples, partitions, overwrite, checksums); }
    public PreprocessOptions withLabelNames(List<String> v) { return new PreprocessOptions(input, open, output, kind, labels, v, targets, crop, bin, scale, normalize, center, nonFinite, dtype, tile, layersBelow, slabSamples, partitions, overwrite, checksums); }
    public PreprocessOptions withTargets(String v) { return new PreprocessOptions(input, open, output, kind, labels, labelNames, v, crop, bin, scale, normalize, center, nonFinite, dtype, tile, layersBelow, slabSamples, partitions, overwrite, checksums); }
    public PreprocessOptions withCrop(int[] v) { return new PreprocessOptions(input, open, output, kind, labels, labelNames, targets, v, bin, scale, normalize, center, nonFinite, dtype, tile, layersBelow, slabSamples, partitions, overwrite, checksums); }
    public PreprocessOptions withBin(int v) { return new PreprocessOptions(input, open, output, kind, labels, labelNames, targets, crop, v, scale, normalize, center, nonFinite, dtype, tile, layersBelow, slabSamples, partitions, overwrite, checksums); }
    public PreprocessOptions withScale(String v) { return new PreprocessOptions(input, open, output, kind, labels, labelNames, targets, crop, bin, v, normalize, center, nonFinite, dtype, tile, layersBelow, slabSamples, partitions, overwrite, checksums); }
    public PreprocessOptions withNormalize(String v) { return new PreprocessOptions(input, open, output, kind, labels, labelNames, targets, crop, bin, scale, v, center, nonFinite, dtype, tile, layersBelow, slabSamples, partitions, overwrite, checksums); }
    public PreprocessOptions withCenter(boolean v) { return new PreprocessOptions(input, open, output, kind, labels, labelNames, targets, crop, bin, scale, normalize, v, nonFinite, dtype, tile, layersBelow, slabSamples, partitions, overwrite, checksums); }
    public PreprocessOptions withNonFinite(String v) { return new PreprocessOptions(input, open, output, kind, labels, labelNames, targets, crop, bin, scale, normalize, center, v, dtype, tile, layersBelow, slabSamples, partitions, overwrite, checksums); }
    public PreprocessOptions withDtype(String v) { return new PreprocessOptions(input, open, output, kind, labels, labelNames, targets, crop, bin, scale, normalize, center, nonFinite, v, tile, layersBelow, slabSamples, partitions, overwrite, checksums); }
    public PreprocessOptions withTile(int v) { return new PreprocessOptions(input, open, output, kind, labels, labelNames, targets, crop, bin, scale, normalize, center, nonFinite, dtype, v, layersBelow, slabSamples, partitions, overwrite, checksums); }
    public PreprocessOptions withLayersBelow(int v) { return new PreprocessOptions(input, open, output, kind, labels, labelNames, targets, crop, bin, scale, normalize, center, nonFinite, dtype, tile, v, slabSamples, partitions, overwrite, checksums); }
    public PreprocessOptions withSlabSamples(int v) { return new PreprocessOptions(input, open, output, kind, labels, labelNames, targets, crop, bin, scale, normalize, center, nonFinite, dtype, tile, layersBelow, v, partitions, overwrite, checksums); }
    public PreprocessOptions withPartitions(int v) { return new PreprocessOptions(input, open, output, kind, labels, labelNames, targets, crop, bin, scale, normalize, center, nonFinite, dtype, tile, layersBelow, slabSamples, v, overwrite, checksums); }
    public PreprocessOptions withOverwrite(boolean v) { return new PreprocessOptions(input, open, output, kind, labels, labelNames, targets, crop, bin, scale, normalize, center, nonFinite, dtype, tile, layersBelow, slabSamples, partitions, v, checksums); }
    public PreprocessOptions withChecksums(boolean v) { return new PreprocessOptions(input, open, output, kind, labels, labelNames, targets, crop, bin, scale, normalize, center, nonFinite, dtype, tile, layersBelow, slabSamples, partitions, overwrite, v); }
}
