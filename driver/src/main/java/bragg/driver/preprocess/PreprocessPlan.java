package bragg.driver.preprocess;

import bragg.driver.io.ArrayInfo;
import bragg.driver.io.Hdf5Source;
import bragg.driver.io.ImageSource;
import bragg.driver.io.SampleSource;
import bragg.driver.io.Slab;
import bragg.driver.io.Sources;
import java.io.IOException;
import java.io.Serializable;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.stream.IntStream;

/**
 * What a preprocess job will do, decided on the driver from headers and the small label and
 * target tables: the sample layout, the label names, the slabs and the Parquet partitions.
 *
 * @param perSlab    samples (positions or layers) per slab read by a task
 * @param slabCount  slabs over the whole input
 * @param partitions Parquet files (and tasks per pass)
 */
record PreprocessPlan(SampleSource source, SampleLayout layout, List<String> labelNames, int[] crop, int perSlab,
                      int slabCount, int partitions) implements Serializable {

    static PreprocessPlan of(PreprocessOptions opt, int cores) throws IOException {
        SampleSource src = Sources.open(Path.of(opt.input()), opt.open());
        ArrayInfo info = src.info();
        if (info.sampleCount() == 0) throw new IllegalArgumentException(opt.input() + ": input holds no samples (shape " + Arrays.toString(info.shape()) + ")");
        boolean lpbf = opt.kind() != null ? opt.kind().equals("lpbf") : src instanceof ImageSource || info.format().equals("hdf5/peregrine");
        int[] sample = info.sampleShape();
        int h = sample[sample.length - 2];
        int w = sample[sample.length - 1];
        if (opt.center() && lpbf) throw new IllegalArgumentException("preprocess option center applies to 4dstem patterns only, not kind lpbf");
        PatternTransform tf = new PatternTransform(h, w, opt.crop(), opt.bin(), opt.scale(), opt.center());
        int[] crop = opt.crop() == null ? new int[]{0, 0, h, w} : opt.crop();
        List<String> names = new ArrayList<>();
        SampleLayout layout = lpbf ? tiles(src, tf, opt, crop, names) : patterns(src, tf, opt, names);

        // Slabs: as many input elements as the layout asks for (SampleLayout.slabElements);
        // partitions: one Parquet file per ~128 MB of raw input, a whole number of waves over the
        // cores (17 tasks on 2 cores would leave one idle at the end).
        int perSlab = opt.slabSamples() > 0 ? opt.slabSamples()
                : (int) Math.max(1, Math.min(1 << 20, layout.slabElements() / info.sampleSize()));
        int slabCount = Math.toIntExact((info.sampleCount() + perSlab - 1) / perSlab);
        int parts = opt.partitions() > 0 ? opt.partitions()
                : (int) Math.ceil(Math.max(1, Math.ceil(info.rawBytes() / (128.0 * (1 << 20))) / cores)) * cores;
        return new PreprocessPlan(src, layout, List.copyOf(names), crop, perSlab, slabCount, Math.min(parts, slabCount));
    }

    /**
     * The slab numbers of partition part: contiguous, and as even as whole slabs allow (the split
     * Spark's parallelize makes of a list), so each task reads one stretch of the file.
     */
    Iterator<Integer> slabsOf(int part) {
        int from = (int) ((long) part * slabCount / partitions);
        int to = (int) ((long) (part + 1) * slabCount / partitions);
        return IntStream.range(from, to).iterator();
    }

    /** Slab number index as a sample range. */
    Slab slab(int index) {
        long total = source.info().sampleCount();
        long first = (long) index * perSlab;
        return new Slab(first, (int) Math.min(perSlab, total - first));
    }

    /** 4dstem: labels and targets per scan position, from files (.npy or .ang) or the layout itself. */
    private static SampleLayout patterns(SampleSource src, PatternTransform tf, PreprocessOptions opt, List<String> names) throws IOException {
        ArrayInfo info = src.info();
        int[] labels = null;
        if (opt.labels() != null) {
            LabelTable t = LabelTable.load(opt.labels(), info.positionShape(), opt.input(), opt.labelNames());
            labels = t.labels();
            names.addAll(t.names());
        } else if (src.layoutLabels() != null) {
            labels = src.layoutLabels();
            names.addAll(src.labelNames());
        }
        float[] targets = null;
        int[] per = {0};
        if (opt.targets() != null) targets = LabelTable.loadTargets(opt.targets(), info.positionShape(), opt.input(), per);
        return new PatternLayout(src, tf, labels, targets, per[0]);
    }

    /** lpbf: labels per layer or per tile from a file, class folders, or Peregrine masks. */
    private static SampleLayout tiles(SampleSource src, PatternTransform tf, PreprocessOptions opt, int[] crop, List<String> names) throws IOException {
        ArrayInfo info = src.info();
        if (opt.tile() > 0 && (tf.outH() < opt.tile() || tf.outW() < opt.tile())) {
            throw new IllegalArgumentException("preprocess option tile " + opt.tile() + " is larger than the " + tf.outH() + "x" + tf.outW() + " layer after crop and bin");
        }
        if (info.sampleCount() <= opt.layersBelow()) {
            throw new IllegalArgumentException(opt.input() + ": " + info.sampleCount() + " layers leave no layer with layers_below=" + opt.layersBelow() + " layers under it");
        }
        if (opt.targets() != null) throw new IllegalArgumentException("preprocess option targets applies to kind 4dstem only");
        long tY = opt.tile() == 0 ? 1 : tf.outH() / opt.tile();
        long tX = opt.tile() == 0 ? 1 : tf.outW() / opt.tile();
        int[] labels = null;
        boolean perTile = false;
        SampleSource[] masks = new SampleSource[0];
        if (opt.labels() != null) {
            long[][] shp = new long[1][];
            LabelTable.readAll(Path.of(opt.labels()), shp);
            perTile = !(shp[0].length == 1 && shp[0][0] == info.sampleCount());
            long[] expected = perTile ? new long[]{info.sampleCount(), tY, tX} : new long[]{info.sampleCount()};
            LabelTable t = LabelTable.load(opt.labels(), expected, opt.input(), opt.labelNames());
            labels = t.labels();
            names.addAll(t.names());
        } else if (src.layoutLabels() != null) {
            labels = src.layoutLabels();
            names.addAll(src.labelNames());
        } else if (src instanceof Hdf5Source hs && !hs.labelMasks().isEmpty()) {
            masks = masks(hs, opt, names);
        }
        return new TileLayout(src, tf, opt.layersBelow(), opt.tile(), labels, perTile, masks, crop, opt.bin());
    }

    /** Peregrine per-class masks, each the layer stack's shape; names "none" then the classes. */
    private static SampleSource[] masks(Hdf5Source hs, PreprocessOptions opt, List<String> names) throws IOException {
        names.add("none");
        SampleSource[] masks = new SampleSource[hs.labelMasks().size()];
        int i = 0;
        for (Map.Entry<String, String> e : hs.labelMasks().entrySet()) {
            names.add(e.getKey());
            masks[i] = hs.sibling(e.getValue());
            if (!Arrays.equals(masks[i].info().shape(), hs.info().shape())) {
                throw new IllegalArgumentException(opt.input() + ": label mask " + e.getValue() + " has shape " + Arrays.toString(masks[i].info().shape())
                        + ", expected the layer stack's " + Arrays.toString(hs.info().shape()));
            }
            i++;
        }
        return masks;
    }
}
