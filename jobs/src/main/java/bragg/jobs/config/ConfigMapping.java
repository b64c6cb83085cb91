package bragg.jobs.config;

import bragg.driver.generate.LpbfSpec;
import bragg.driver.generate.StemSpec;
import bragg.driver.io.DType;
import bragg.driver.io.OpenOptions;
import bragg.driver.preprocess.PreprocessOptions;
import bragg.worker.collective.CollectiveConfig;
import bragg.worker.collective.Compression;
import bragg.worker.train.BucketSchedule;
import bragg.worker.train.FaultInjection;
import bragg.worker.train.TrainConfig;
import java.util.List;

/**
 * Maps the validated {@code bragg.*} keys onto the plain option objects of the other areas
 * (they validate themselves too, and name their fields in errors). Empty strings and empty
 * lists mean "not set" (null) there.
 */
public final class ConfigMapping {
    private ConfigMapping() {
    }

    /** The synthetic scan of {@code bragg.generate.*} (kind 4dstem); unset knobs take the generator's defaults. */
    public static StemSpec stem(BraggConfig c) {
        List<Integer> scan = c.get(BraggKeys.GEN_SCAN);
        StemSpec d = StemSpec.of(scan.get(0), scan.get(1), c.get(BraggKeys.GEN_DETECTOR), c.get(BraggKeys.GEN_SEED));
        int grains = c.get(BraggKeys.GEN_GRAINS);
        return new StemSpec(d.scanY(), d.scanX(), d.detector(), grains == 0 ? d.grains() : grains,
                c.get(BraggKeys.GEN_DOSE), d.descan(), d.blur(), d.diskRadius(), d.seed());
    }

    /** The synthetic layer stack of {@code bragg.generate.*} (kind lpbf). */
    public static LpbfSpec lpbf(BraggConfig c) {
        LpbfSpec d = LpbfSpec.of(c.get(BraggKeys.GEN_LAYERS), c.get(BraggKeys.GEN_SIZE), c.get(BraggKeys.GEN_TILE),
                c.get(BraggKeys.GEN_SEED));
        int defects = c.get(BraggKeys.GEN_DEFECTS);
        return new LpbfSpec(d.layers(), d.size(), d.tile(), defects == 0 ? d.defects() : defects, d.rotation(), d.seed());
    }

    /** How to open {@code bragg.data.input}. */
    public static OpenOptions open(BraggConfig c) {
        OpenOptions o = OpenOptions.NONE;
        String dataset = c.get(BraggKeys.DATA_DATASET);
        if (!dataset.isEmpty()) {
            o = o.withDataset(dataset);
        }
        List<Integer> shape = c.get(BraggKeys.DATA_SHAPE);
        if (!shape.isEmpty()) {
            o = o.withShape(longs(shape));
        }
        String dtype = c.get(BraggKeys.DATA_DTYPE);
        if (!dtype.isEmpty()) {
            o = o.withDtype(DType.parse(dtype));
        }
        if (c.get(BraggKeys.DATA_BYTE_ORDER).equals("big")) {
            o = o.withByteOrder("big");
        }
        if (c.get(BraggKeys.DATA_OFFSET) > 0) {
            o = o.withOffset(c.get(BraggKeys.DATA_OFFSET));
        }
        List<Integer> scan = c.get(BraggKeys.DATA_SCAN);
        if (!scan.isEmpty()) {
            o = o.withScan(longs(scan));
        }
        List<Integer> size = c.get(BraggKeys.DATA_IMAGE_SIZE);
        if (!size.isEmpty()) {
            o = o.withImageSize(new int[] {size.get(0), size.get(1)});
        }
        if (c.get(BraggKeys.DATA_CHANNELS) > 0) {
            o = o.withChannels(c.get(BraggKeys.DATA_CHANNELS));
        }
        return o;
    }

    /** The preprocess job's options: {@code bragg.data.input} -> {@code bragg.data.shards}. */
    public static PreprocessOptions preprocess(BraggConfig c) {
        String input = c.get(BraggKeys.DATA_INPUT);
        if (input.isEmpty()) {
            throw new IllegalArgumentException("config key bragg.data.input is empty: preprocess needs the raw file "
                    + "or folder to read (set it in the config or with --set bragg.data.input=<path>)");
        }
        String kind = c.get(BraggKeys.DATA_KIND);
        List<Integer> crop = c.get(BraggKeys.PRE_CROP);
        return PreprocessOptions.defaults(input, c.get(BraggKeys.DATA_SHARDS))
                .withOpen(open(c))
                .withKind(kind.equals("auto") ? null : kind)
                .withLabels(blankToNull(c.get(BraggKeys.DATA_LABELS)))
                .withTargets(blankToNull(c.get(BraggKeys.DATA_TARGETS)))
                .withCrop(crop.isEmpty() ? null : crop.stream().mapToInt(Integer::intValue).toArray())
                .withBin(c.get(BraggKeys.PRE_BIN))
                .withScale(c.get(BraggKeys.PRE_SCALE))
                .withNormalize(c.get(BraggKeys.PRE_NORMALIZE))
                .withCenter(c.get(BraggKeys.PRE_CENTER))
                .withNonFinite(c.get(BraggKeys.PRE_NON_FINITE))
                .withDtype(c.get(BraggKeys.PRE_DTYPE))
                .withTile(c.get(BraggKeys.PRE_TILE))
                .withLayersBelow(c.get(BraggKeys.PRE_LAYERS_BELOW))
                .withSlabSamples(c.get(BraggKeys.PRE_SLAB))
                .withPartitions(c.get(BraggKeys.PRE_PARTITIONS))
                .withOverwrite(c.get(BraggKeys.PRE_OVERWRITE))
                .withChecksums(c.get(BraggKeys.PRE_CHECKSUMS));
    }

    /**
     * The training loop's settings from {@code bragg.train.*}.
     *
     * @param checkpointDir the resolved checkpoint folder (bragg.train.checkpoint-dir, or the run folder's)
     */
    public static TrainConfig train(BraggConfig c, String checkpointDir) {
        return new TrainConfig(c.get(BraggKeys.TRAIN_SEED), c.get(BraggKeys.TRAIN_EPOCHS), c.get(BraggKeys.TRAIN_BATCH),
                c.get(BraggKeys.TRAIN_ACCUMULATION), c.get(BraggKeys.TRAIN_LR), c.get(BraggKeys.TRAIN_WARMUP),
                c.get(BraggKeys.TRAIN_MIN_LR), c.get(BraggKeys.TRAIN_WEIGHT_DECAY), c.get(BraggKeys.TRAIN_BETA1),
                c.get(BraggKeys.TRAIN_BETA2), c.get(BraggKeys.TRAIN_EPSILON), c.get(BraggKeys.TRAIN_CLIP),
                c.get(BraggKeys.TRAIN_CHECKPOINT_EVERY), c.get(BraggKeys.TRAIN_HASH_CHECK_EVERY), checkpointDir,
                c.get(BraggKeys.TRAIN_SHUFFLE), FaultInjection.NONE,
                BucketSchedule.ofMiB(c.get(BraggKeys.TRAIN_BUCKET_MB), c.get(BraggKeys.TRAIN_OVERLAP)));
    }

    /**
     * The ring's timeouts from {@code bragg.train.barrier-timeout} (a silent peer fails the
     * all-reduce after that long, as a silent task fails the barrier) and its wire format from
     * {@code bragg.train.compression}.
     */
    public static CollectiveConfig collective(BraggConfig c) {
        int ms = (int) Math.min(Integer.MAX_VALUE, c.get(BraggKeys.TRAIN_BARRIER_TIMEOUT).toMillis());
        return new CollectiveConfig(Math.min(ms, 60_000), ms, ms, CollectiveConfig.DEFAULT.chunkFloats(),
                Compression.parse(c.get(BraggKeys.TRAIN_COMPRESSION)));
    }

    private static String blankToNull(String s) {
        return s == null || s.isBlank() ? null : s;
    }

    private static long[] longs(List<Integer> v) {
        return v.stream().mapToLong(Integer::longValue).toArray();
    }
}
