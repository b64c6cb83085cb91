package bragg.jobs.config;

import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;

import java.util.List;
import java.util.Map;

/**
 * Every {@code bragg.*} config key: documented, typed, validated, with its default. This list is
 * the single source; {@code reference.conf} is its rendering (a test keeps the two equal, and
 * {@code bragg config reference} prints it). {@code spark.*} keys are not listed: they pass
 * through to Spark as strings.
 */
public final class BraggKeys {
    private BraggKeys() {
    }

    private static final List<ConfigKey<?>> ALL = new ArrayList<>();

    private static <T> ConfigKey<T> add(ConfigKey<T> key) {
        ALL.add(key);
        return key;
    }

    // ---- bragg.generate: synthetic data with labels (generate, demo) --------------------------

    public static final ConfigKey<String> GEN_KIND = add(ConfigKey.stringKey("bragg.generate.kind")
            .doc("What bin/bragg generate <config> writes: 4dstem (a two-phase polycrystal scan: scan.npy, labels.npy, "
                    + "labels.txt, targets.npy) or lpbf (a layer stack: layers/*.png, labels.npy per tile, labels.txt).")
            .oneOf("4dstem", "lpbf")
            .withDefault("4dstem"));

    public static final ConfigKey<String> GEN_OUT = add(ConfigKey.stringKey("bragg.generate.out")
            .doc("Folder the generated files go to (a local path; created, files in it replaced).")
            .check(v -> !v.isBlank(), "a non-empty path")
            .withDefault("runs/generated"));

    public static final ConfigKey<Long> GEN_SEED = add(ConfigKey.longKey("bragg.generate.seed")
            .doc("Everything generated follows from this seed (the files do not depend on the thread count).")
            .withDefault(1L));

    public static final ConfigKey<List<Integer>> GEN_SCAN = add(ConfigKey.intListKey("bragg.generate.scan")
            .doc("4dstem: scan shape [y, x] (positions).")
            .check(v -> v.size() == 2 && v.get(0) > 0 && v.get(1) > 0, "[y, x] with both > 0")
            .withDefault(List.of(32, 32)));

    public static final ConfigKey<Integer> GEN_DETECTOR = add(ConfigKey.intKey("bragg.generate.detector")
            .doc("4dstem: detector pixels per side (each pattern is detector x detector, uint16 counts).")
            .check(v -> v >= 16 && v <= 4096, "16..4096")
            .withDefault(128));

    public static final ConfigKey<Integer> GEN_GRAINS = add(ConfigKey.intKey("bragg.generate.grains")
            .doc("4dstem: Voronoi grains across the scan, each with a phase and an in-plane rotation; more grains = "
                    + "more orientations to learn from. 0 = scan positions / 64, at least 2.")
            .check(v -> v >= 0, ">= 0")
            .withDefault(0));

    public static final ConfigKey<Double> GEN_DOSE = add(ConfigKey.doubleKey("bragg.generate.dose")
            .doc("4dstem: mean electrons per pattern (Poisson counting noise; lower = noisier).")
            .check(v -> v > 0, "> 0")
            .withDefault(2.0e4));

    public static final ConfigKey<Integer> GEN_LAYERS = add(ConfigKey.intKey("bragg.generate.layers")
            .doc("lpbf: layers in the stack.")
            .check(v -> v >= 1 && v <= 100000, "1..100000")
            .withDefault(32));

    public static final ConfigKey<Integer> GEN_SIZE = add(ConfigKey.intKey("bragg.generate.size")
            .doc("lpbf: layer image side in pixels.")
            .check(v -> v >= 16 && v <= 16384, "16..16384")
            .withDefault(256));

    public static final ConfigKey<Integer> GEN_TILE = add(ConfigKey.intKey("bragg.generate.tile")
            .doc("lpbf: tile side in pixels of the per-tile defect labels (must divide bragg.generate.size).")
            .check(v -> v >= 1, ">= 1")
            .withDefault(32));

    public static final ConfigKey<Integer> GEN_DEFECTS = add(ConfigKey.intKey("bragg.generate.defects")
            .doc("lpbf: defects (pores, lack-of-fusion regions) started over the build; 0 = layers / 4, at least 2.")
            .check(v -> v >= 0, ">= 0")
            .withDefault(0));

    // ---- bragg.data: where the data are and how to open them ---------------------------------

    public static final ConfigKey<String> DATA_INPUT = add(ConfigKey.stringKey("bragg.data.input")
            .doc("Raw input for preprocess: a file (Merlin .mib, HDF5 .h5/.emd/.hdf5/.hspy, .npy, NanoMegas .blo, "
                    + "MRC 2014, EDAX .ang, raw binary, TIFF) or a "
                    + "folder of images (a folder per class gives labels). The format is detected from the content; "
                    + "run bin/bragg inspect <file> first. Empty when the job starts from shards.")
            .withDefault(""));

    public static final ConfigKey<String> DATA_KIND = add(ConfigKey.stringKey("bragg.data.kind")
            .doc("4dstem (one sample per scan position), lpbf (tiles of layers with the layers below), "
                    + "or auto (lpbf for image stacks and Peregrine HDF5, else 4dstem).")
            .oneOf("auto", "4dstem", "lpbf")
            .withDefault("auto"));

    public static final ConfigKey<String> DATA_DATASET = add(ConfigKey.stringKey("bragg.data.dataset")
            .doc("Dataset path inside an HDF5 input, e.g. /experiment/data; empty = found from the layout "
                    + "(EMD 1.0, py4DSTEM, fpd, h5ebsd, Peregrine).")
            .withDefault(""));

    public static final ConfigKey<List<Integer>> DATA_SCAN = add(ConfigKey.intListKey("bragg.data.scan")
            .doc("Scan shape [y, x] to reshape the position axis into (Merlin .mib stores none); [] = from the file.")
            .check(v -> v.isEmpty() || (v.size() == 2 && v.get(0) > 0 && v.get(1) > 0), "[] or [y, x] with both > 0")
            .withDefault(List.of()));

    public static final ConfigKey<List<Integer>> DATA_SHAPE = add(ConfigKey.intListKey("bragg.data.shape")
            .doc("Full array shape of a raw binary input, e.g. [256, 256, 128, 128]; checked against the header "
                    + "of other formats; [] = from the file.")
            .check(v -> v.stream().allMatch(d -> d > 0), "every axis > 0")
            .withDefault(List.of()));

    public static final ConfigKey<String> DATA_DTYPE = add(ConfigKey.stringKey("bragg.data.dtype")
            .doc("Element type of a raw binary input (u8, u16, u32, i16, i32, i64, f32, f64); empty = from the file.")
            .oneOf("", "u8", "i8", "u16", "i16", "u32", "i32", "i64", "f32", "f64")
            .withDefault(""));

    public static final ConfigKey<String> DATA_BYTE_ORDER = add(ConfigKey.stringKey("bragg.data.byte-order")
            .doc("Byte order of a raw binary input.")
            .oneOf("little", "big")
            .withDefault("little"));

    public static final ConfigKey<Long> DATA_OFFSET = add(ConfigKey.longKey("bragg.data.offset")
            .doc("Bytes to skip at the start of a raw binary input.")
            .check(v -> v >= 0, ">= 0")
            .withDefault(0L));

    public static final ConfigKey<List<Integer>> DATA_IMAGE_SIZE = add(ConfigKey.intListKey("bragg.data.image-size")
            .doc("[H, W] to resize images of an image folder to (needed when their sizes differ); [] = as they are.")
            .check(v -> v.isEmpty() || (v.size() == 2 && v.get(0) > 0 && v.get(1) > 0), "[] or [H, W] with both > 0")
            .withDefault(List.of()));

    public static final ConfigKey<Integer> DATA_CHANNELS = add(ConfigKey.intKey("bragg.data.channels")
            .doc("Images: 1 (grey; RGB converted by luminance) or 3 (RGB as three channels); 0 = as the first image is.")
            .check(v -> v == 0 || v == 1 || v == 3, "0, 1 or 3")
            .withDefault(0));

    public static final ConfigKey<String> DATA_LABELS = add(ConfigKey.stringKey("bragg.data.labels")
            .doc("Class labels: an .npy of integer classes, one per scan position (4dstem) or [layers, tiles_y, "
                    + "tiles_x] (lpbf); names from <labels>.txt (one per line) when present. Or an EDAX .ang "
                    + "crystal map on the scan's grid: its phase ids become classes named as the header's phases "
                    + "(points with CI -1 get none). Empty = none "
                    + "(class folders and Peregrine masks carry their own).")
            .withDefault(""));

    public static final ConfigKey<String> DATA_TARGETS = add(ConfigKey.stringKey("bragg.data.targets")
            .doc("Regression targets: an .npy of floats [positions..., T] (e.g. orientation, thickness), or an "
                    + "EDAX .ang on the scan's grid (its Euler angles phi1, PHI, phi2 in radians, T = 3); empty = none.")
            .withDefault(""));

    public static final ConfigKey<String> DATA_SHARDS = add(ConfigKey.stringKey("bragg.data.shards")
            .doc("Training shards (Parquet + manifest.json): written by preprocess, read by train, evaluate and "
                    + "infer. Any Hadoop path (file:, hdfs:, s3a:).")
            .check(v -> !v.isBlank(), "a non-empty path")
            .withDefault("runs/shards"));

    public static final ConfigKey<Double> DATA_HOLDOUT = add(ConfigKey.doubleKey("bragg.data.holdout")
            .doc("Fraction held out of training for evaluation: the right-most scan columns of a 4D-STEM scan "
                    + "(a region, not random positions, so neighbouring patterns do not leak into the test), "
                    + "the top layers of an LPBF stack. 0 = train on everything, evaluate on nothing.")
            .check(v -> v >= 0 && v < 1, "0 <= value < 1")
            .withDefault(0.25));

    // ---- bragg.preprocess: raw data -> shards -----------------------------------------------

    public static final ConfigKey<List<Integer>> PRE_CROP = add(ConfigKey.intListKey("bragg.preprocess.crop")
            .doc("Crop [y, x, h, w] in detector pixels, after centring; [] = the whole pattern.")
            .check(v -> v.isEmpty() || (v.size() == 4 && v.get(0) >= 0 && v.get(1) >= 0 && v.get(2) > 0 && v.get(3) > 0),
                    "[] or [y, x, h, w] with y, x >= 0 and h, w > 0")
            .withDefault(List.of()));

    public static final ConfigKey<Integer> PRE_BIN = add(ConfigKey.intKey("bragg.preprocess.bin")
            .doc("Bin each pattern by this factor in both detector axes (sum of bin x bin pixels), after the crop.")
            .check(v -> v == 1 || v == 2 || v == 4, "1, 2 or 4")
            .withDefault(1));

    public static final ConfigKey<String> PRE_SCALE = add(ConfigKey.stringKey("bragg.preprocess.scale")
            .doc("Intensity scaling: log (log1p; tames the bright central beam), sqrt, or none. Negative values "
                    + "are clipped to 0 first (and counted in the manifest).")
            .oneOf("log", "sqrt", "none")
            .withDefault("log"));

    public static final ConfigKey<String> PRE_NORMALIZE = add(ConfigKey.stringKey("bragg.preprocess.normalize")
            .doc("global: (x - mean) / std over the dataset (statistics pass first); max: x / dataset max; "
                    + "per_pattern: each pattern to zero mean, unit std; none.")
            .oneOf("global", "max", "per_pattern", "none")
            .withDefault("global"));

    public static final ConfigKey<Boolean> PRE_CENTER = add(ConfigKey.booleanKey("bragg.preprocess.center")
            .doc("Shift each 4D-STEM pattern so its central-beam centre of mass is at the pattern centre (removes descan).")
            .withDefault(false));

    public static final ConfigKey<String> PRE_DTYPE = add(ConfigKey.stringKey("bragg.preprocess.dtype")
            .doc("Element type of the pattern bytes in the shards (float16 halves the size).")
            .oneOf("float32", "float16")
            .withDefault("float32"));

    public static final ConfigKey<String> PRE_NON_FINITE = add(ConfigKey.stringKey("bragg.preprocess.non-finite")
            .doc("A sample holding NaN or Inf: fail (stop, naming it) or drop (skip it); counted in the manifest either way.")
            .oneOf("fail", "drop")
            .withDefault("fail"));

    public static final ConfigKey<Integer> PRE_TILE = add(ConfigKey.intKey("bragg.preprocess.tile")
            .doc("lpbf: tile side in output pixels; each tile of a layer is one sample. 0 = the whole layer.")
            .check(v -> v >= 0, ">= 0")
            .withDefault(0));

    public static final ConfigKey<Integer> PRE_LAYERS_BELOW = add(ConfigKey.intKey("bragg.preprocess.layers-below")
            .doc("lpbf: K, the layers below each layer stacked with it as channels [K+1, tile, tile].")
            .check(v -> v >= 0 && v <= 256, "0..256")
            .withDefault(0));

    public static final ConfigKey<Integer> PRE_SLAB = add(ConfigKey.intKey("bragg.preprocess.slab-samples")
            .doc("Samples (4dstem) or layers (lpbf) per slab that one Spark task reads; 0 = about 32 MB of floats.")
            .check(v -> v >= 0, ">= 0")
            .withDefault(0));

    public static final ConfigKey<Integer> PRE_PARTITIONS = add(ConfigKey.intKey("bragg.preprocess.partitions")
            .doc("Parquet files written; 0 = one per 128 MB of raw input, at least the default parallelism.")
            .check(v -> v >= 0, ">= 0")
            .withDefault(0));

    public static final ConfigKey<Boolean> PRE_CHECKSUMS = add(ConfigKey.booleanKey("bragg.preprocess.checksums")
            .doc("Record the SHA-256 of each input file in the manifest (provenance; reads the input once more).")
            .withDefault(true));

    public static final ConfigKey<Boolean> PRE_OVERWRITE = add(ConfigKey.booleanKey("bragg.preprocess.overwrite")
            .doc("Replace an existing shard folder at bragg.data.shards; false = stop if it exists.")
            .withDefault(false));

    // ---- bragg.model ------------------------------------------------------------------------

    public static final ConfigKey<String> MODEL_KIND = add(ConfigKey.stringKey("bragg.model.kind")
            .doc("vit: one diffraction pattern -> class or values; stack: LPBF layer k attends to the layers below; "
                    + "scan: a neighbourhood of patterns as one long sequence. Input sizes come from the shards' manifest.")
            .oneOf("vit", "stack", "scan")
            .withDefault("vit"));

    public static final ConfigKey<Integer> MODEL_PATCH = add(ConfigKey.intKey("bragg.model.patch")
            .doc("Patch side P in pixels (the pattern's height and width must be multiples of it).")
            .check(v -> v >= 1 && v <= 256, "1..256")
            .withDefault(8));

    public static final ConfigKey<Integer> MODEL_DIM = add(ConfigKey.intKey("bragg.model.dim")
            .doc("Token width D (a multiple of bragg.model.heads).")
            .check(v -> v >= 1 && v <= 4096, "1..4096")
            .withDefault(128));

    public static final ConfigKey<Integer> MODEL_HEADS = add(ConfigKey.intKey("bragg.model.heads")
            .doc("Attention heads per block.")
            .check(v -> v >= 1 && v <= 64, "1..64")
            .withDefault(4));

    public static final ConfigKey<Integer> MODEL_BLOCKS = add(ConfigKey.intKey("bragg.model.blocks")
            .doc("Transformer blocks (pre-LN).")
            .check(v -> v >= 0 && v <= 48, "0..48")
            .withDefault(4));

    public static final ConfigKey<Integer> MODEL_MLP_HIDDEN = add(ConfigKey.intKey("bragg.model.mlp-hidden")
            .doc("Hidden width of each block's MLP; 0 = 4 x dim.")
            .check(v -> v >= 0 && v <= 65536, "0..65536")
            .withDefault(0));

    public static final ConfigKey<Boolean> MODEL_CLASS_TOKEN = add(ConfigKey.booleanKey("bragg.model.class-token")
            .doc("Prepend a class token and pool it; false = mean-pool the patch tokens.")
            .withDefault(true));

    public static final ConfigKey<String> MODEL_POSITIONS = add(ConfigKey.stringKey("bragg.model.positions")
            .doc("Position embedding: learned, or sinusoidal (fixed 2-D, for the patch grid; dim a multiple of 4).")
            .oneOf("learned", "sinusoidal")
            .withDefault("learned"));

    public static final ConfigKey<String> MODEL_HEAD = add(ConfigKey.stringKey("bragg.model.head")
            .doc("classification: softmax over the manifest's label names; regression: the shards' targets (MSE).")
            .oneOf("classification", "regression")
            .withDefault("classification"));

    public static final ConfigKey<Integer> MODEL_CROSS_BLOCKS = add(ConfigKey.intKey("bragg.model.cross-blocks")
            .doc("stack: cross-attention blocks, in which layer k's patches attend to the patches of the K layers "
                    + "below; bragg.model.blocks self-attention blocks over layer k follow.")
            .check(v -> v >= 1 && v <= 48, "1..48")
            .withDefault(2));

    public static final ConfigKey<Boolean> MODEL_CROSS_ATTENTION = add(ConfigKey.booleanKey("bragg.model.cross-attention")
            .doc("stack: false builds the same model without cross-attention (the layers below are dropped and the "
                    + "cross blocks attend within layer k), as a baseline for comparison.")
            .withDefault(true));

    public static final ConfigKey<Integer> MODEL_WINDOW = add(ConfigKey.intKey("bragg.model.window")
            .doc("scan: side w of the square scan window (odd); each sample holds the w x w patterns around a "
                    + "position stacked on the channel axis, and the model predicts the centre position.")
            .check(v -> v >= 1 && v <= 31 && v % 2 == 1, "odd, 1..31")
            .withDefault(3));

    // ---- bragg.train ------------------------------------------------------------------------

    public static final ConfigKey<Integer> TRAIN_REPLICAS = add(ConfigKey.intKey("bragg.train.replicas")
            .doc("Data-parallel replicas = barrier tasks; the cluster needs this many free task slots at once. "
                    + "0 = the default parallelism of the Spark context (the cores of local[N]).")
            .check(v -> v >= 0 && v <= 4096, "0..4096")
            .withDefault(0));

    public static final ConfigKey<Integer> TRAIN_EPOCHS = add(ConfigKey.intKey("bragg.train.epochs")
            .doc("Passes over each replica's shard.")
            .check(v -> v >= 1 && v <= 100000, "1..100000")
            .withDefault(3));

    public static final ConfigKey<Integer> TRAIN_BATCH = add(ConfigKey.intKey("bragg.train.batch-size")
            .doc("Samples per replica per micro-step; the global batch is replicas x batch-size x accumulation-steps.")
            .check(v -> v >= 1 && v <= 65536, "1..65536")
            .withDefault(32));

    public static final ConfigKey<Integer> TRAIN_ACCUMULATION = add(ConfigKey.intKey("bragg.train.accumulation-steps")
            .doc("Micro-steps per optimizer step: gradients are summed locally and all-reduced on the last one only.")
            .check(v -> v >= 1 && v <= 1024, "1..1024")
            .withDefault(1));

    public static final ConfigKey<Double> TRAIN_LR = add(ConfigKey.doubleKey("bragg.train.learning-rate")
            .doc("Peak learning rate of AdamW, reached after the warm-up; then cosine decay.")
            .check(v -> v > 0 && v <= 1, "0 < value <= 1")
            .withDefault(1e-3));

    public static final ConfigKey<Integer> TRAIN_WARMUP = add(ConfigKey.intKey("bragg.train.warmup-steps")
            .doc("Optimizer steps of linear learning-rate warm-up.")
            .check(v -> v >= 0, ">= 0")
            .withDefault(10));

    public static final ConfigKey<Double> TRAIN_MIN_LR = add(ConfigKey.doubleKey("bragg.train.min-lr-fraction")
            .doc("Floor of the cosine decay, as a fraction of the peak learning rate.")
            .check(v -> v >= 0 && v <= 1, "0..1")
            .withDefault(0.0));

    public static final ConfigKey<Double> TRAIN_WEIGHT_DECAY = add(ConfigKey.doubleKey("bragg.train.weight-decay")
            .doc("AdamW decoupled weight decay (scaled by the learning rate).")
            .check(v -> v >= 0 && v <= 1, "0..1")
            .withDefault(0.01));

    public static final ConfigKey<Double> TRAIN_BETA1 = add(ConfigKey.doubleKey("bragg.train.beta1")
            .doc("Adam beta1 (momentum of the gradient average).")
            .check(v -> v >= 0 && v < 1, "0 <= value < 1")
            .withDefault(0.9));

    public static final ConfigKey<Double> TRAIN_BETA2 = add(ConfigKey.doubleKey("bragg.train.beta2")
            .doc("Adam beta2 (momentum of the squared-gradient average).")
            .check(v -> v >= 0 && v < 1, "0 <= value < 1")
            .withDefault(0.999));

    public static final ConfigKey<Double> TRAIN_EPSILON = add(ConfigKey.doubleKey("bragg.train.epsilon")
            .doc("Adam epsilon.")
            .check(v -> v > 0 && v < 1, "0 < value < 1")
            .withDefault(1e-8));

    public static final ConfigKey<Double> TRAIN_CLIP = add(ConfigKey.doubleKey("bragg.train.clip-norm")
            .doc("Clip the all-reduced, averaged gradient to this global L2 norm; 0 = off.")
            .check(v -> v >= 0 && Double.isFinite(v), ">= 0 and finite")
            .withDefault(1.0));

    public static final ConfigKey<Long> TRAIN_SEED = add(ConfigKey.longKey("bragg.train.seed")
            .doc("Job seed: parameter init, and the per-epoch shuffle of rank r uses (seed, epoch, r).")
            .withDefault(42L));

    public static final ConfigKey<Boolean> TRAIN_SHUFFLE = add(ConfigKey.booleanKey("bragg.train.shuffle")
            .doc("Shuffle each replica's shard every epoch; false = shard order.")
            .withDefault(true));

    public static final ConfigKey<Integer> TRAIN_CHECKPOINT_EVERY = add(ConfigKey.intKey("bragg.train.checkpoint-every")
            .doc("Rank 0 writes a checkpoint every this many optimizer steps, and at the end.")
            .check(v -> v >= 1, ">= 1")
            .withDefault(50));

    public static final ConfigKey<String> TRAIN_CHECKPOINT_DIR = add(ConfigKey.stringKey("bragg.train.checkpoint-dir")
            .doc("Hadoop path (file:, hdfs:, s3a:) of the checkpoints; every executor must reach it. "
                    + "Empty = <bragg.output.dir>/checkpoints.")
            .withDefault(""));

    public static final ConfigKey<Integer> TRAIN_HASH_CHECK_EVERY = add(ConfigKey.intKey("bragg.train.hash-check-every")
            .doc("Every this many steps all replicas compare a hash of their parameters; a mismatch stops the job. 0 = off.")
            .check(v -> v >= 0, ">= 0")
            .withDefault(50));

    public static final ConfigKey<String> TRAIN_TRANSPORT = add(ConfigKey.stringKey("bragg.train.transport")
            .doc("Gradient all-reduce: ring (task-to-task TCP), hierarchical (a ring among the tasks of each host, "
                    + "one across hosts, then back: fewer latency steps with many executors per host) or allgather "
                    + "(through the driver; tiny models only).")
            .oneOf("ring", "hierarchical", "allgather")
            .withDefault("ring"));

    public static final ConfigKey<String> TRAIN_COMPRESSION = add(ConfigKey.stringKey("bragg.train.compression")
            .doc("Gradient values on the ring's wire: none (float32) or bf16 (bfloat16, half the bytes; sums stay "
                    + "float32 and every rank keeps the same bits). Ring and hierarchical transports.")
            .oneOf("none", "bf16")
            .withDefault("none"));

    public static final ConfigKey<Double> TRAIN_BUCKET_MB = add(ConfigKey.doubleKey("bragg.train.bucket-mb")
            .doc("Gradient all-reduce bucket in MiB: the gradient is reduced in buckets of this size, the last "
                    + "layers' first, in the same order on every rank; 0 = the whole gradient in one all-reduce. "
                    + "1 MiB splits the default vit's 3.2 MB gradient into 4 buckets, while a bucket's transfer "
                    + "(about 1 ms at 1 GB/s) stays well above the ring's per-hop latency (about 55 us). "
                    + "The buckets fix the order of the sums: with 3+ replicas or bf16 another size changes the "
                    + "last bits (every rank still holds the same bits). Ring and hierarchical transports.")
            .check(v -> v == 0 || (v >= 0.001 && v <= 2048), "0, or 0.001..2048")
            .withDefault(1.0));

    public static final ConfigKey<Boolean> TRAIN_OVERLAP = add(ConfigKey.booleanKey("bragg.train.overlap")
            .doc("Reduce each gradient bucket (bragg.train.bucket-mb) on one communication thread per replica as "
                    + "soon as the backward has passed its layers, while the earlier layers still compute (as "
                    + "PyTorch DDP does); false = the same buckets after the backward, the same bits. Without "
                    + "effect with one bucket or one replica.")
            .withDefault(true));

    public static final ConfigKey<Integer> TRAIN_MAX_ATTEMPTS = add(ConfigKey.intKey("bragg.train.max-attempts")
            .doc("Failed barrier stage submissions in a row without a new checkpoint before giving up; an attempt "
                    + "that checkpointed before failing starts the count again. Each retry resumes from the newest "
                    + "intact checkpoint.")
            .check(v -> v >= 1 && v <= 100, "1..100")
            .withDefault(3));

    public static final ConfigKey<Duration> TRAIN_BARRIER_TIMEOUT = add(ConfigKey.durationKey("bragg.train.barrier-timeout")
            .doc("spark.barrier.sync.timeout and the collective's read/connect timeout: a dead peer fails the stage after this long.")
            .check(d -> d.toSeconds() >= 1 && d.toHours() <= 24, "1s..24h")
            .withDefault(Duration.ofSeconds(300)));

    public static final ConfigKey<Integer> TRAIN_LOG_EVERY = add(ConfigKey.intKey("bragg.train.log-every")
            .doc("Print one progress line every this many steps.")
            .check(v -> v >= 1, ">= 1")
            .withDefault(10));

    // ---- bragg.infer ------------------------------------------------------------------------

    public static final ConfigKey<Integer> INFER_BATCH = add(ConfigKey.intKey("bragg.infer.batch-size")
            .doc("Patterns per forward pass when evaluate and infer run the model in Spark tasks.")
            .check(v -> v >= 1 && v <= 65536, "1..65536")
            .withDefault(64));

    public static final ConfigKey<Double> INFER_PERIOD = add(ConfigKey.doubleKey("bragg.infer.orientation-period")
            .doc("For a regression model whose first output is an in-plane angle in degrees: the symmetry period "
                    + "(90 cubic, 60 hexagonal), drawn as a cyclic orientation map. 0 = the values are not angles.")
            .check(v -> v >= 0 && v <= 360, "0..360")
            .withDefault(0.0));

    // ---- bragg.kernels ----------------------------------------------------------------------

    public static final ConfigKey<String> KERNELS_DEVICE = add(ConfigKey.stringKey("bragg.kernels.device")
            .doc("Where attention runs: auto (an OpenCL GPU, else Java; never an OpenCL CPU device, which is "
                    + "slower than Java on the same cores), opencl-gpu[:N] (the N-th OpenCL GPU), opencl-cpu[:N] (e.g. PoCL), java (plain multi-threaded Java). "
                    + "An explicit device that is not there stops the job; it never falls back.")
            .check(bragg.kernels.AttentionKernels.DeviceName::valid, "auto, opencl-gpu[:N], opencl-cpu[:N] or java")
            .withDefault("auto"));

    // ---- bragg.output -----------------------------------------------------------------------

    public static final ConfigKey<String> OUTPUT_DIR = add(ConfigKey.stringKey("bragg.output.dir")
            .doc("Run folder: model.zip, config.conf, metrics.csv, checkpoints/, evaluation.json, maps, report.html.")
            .check(v -> !v.isBlank(), "a non-empty path")
            .withDefault("runs/run"));

    public static final ConfigKey<Boolean> OUTPUT_OVERWRITE = add(ConfigKey.booleanKey("bragg.output.overwrite")
            .doc("Replace an existing run folder; false = stop if bragg.output.dir already holds a model.")
            .withDefault(false));

    /** All keys, in declaration order (the order of reference.conf). */
    public static List<ConfigKey<?>> all() {
        return Collections.unmodifiableList(ALL);
    }

    /** All keys by path. */
    public static Map<String, ConfigKey<?>> byPath() {
        Map<String, ConfigKey<?>> m = new LinkedHashMap<>();
        for (ConfigKey<?> k : ALL) {
            m.put(k.path(), k);
        }
        return m;
    }
}
