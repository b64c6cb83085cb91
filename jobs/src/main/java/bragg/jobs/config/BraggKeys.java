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

    // ---- bragg.data: where the data are -------------------------------------------------------

    public static final ConfigKey<String> DATA_INPUT = add(ConfigKey.stringKey("bragg.data.input")
            .doc("Raw input for preprocess: a file (.mib, .h5/.emd/.hdf5, .npy, .tif) or a folder of images. "
                    + "Any Hadoop path (file:, hdfs:, s3a:). Empty when the job starts from shards.")
            .withDefault(""));

    public static final ConfigKey<String> DATA_DATASET = add(ConfigKey.stringKey("bragg.data.dataset")
            .doc("Dataset path inside an HDF5 input, e.g. /experiment/data; empty = detect the layout (EMD, h5ebsd, Peregrine).")
            .withDefault(""));

    public static final ConfigKey<String> DATA_LABELS = add(ConfigKey.stringKey("bragg.data.labels")
            .doc("Labels for the input: an .npy of class indices with the scan's shape; empty = unlabelled (label -1).")
            .withDefault(""));

    public static final ConfigKey<String> DATA_SHARDS = add(ConfigKey.stringKey("bragg.data.shards")
            .doc("Training shards (Parquet + manifest.json): written by preprocess, read by train, evaluate and infer.")
            .withDefault("runs/shards"));

    public static final ConfigKey<Double> DATA_HOLDOUT = add(ConfigKey.doubleKey("bragg.data.holdout")
            .doc("Fraction of the scan held out for evaluation: the right-most columns of a 4D-STEM scan "
                    + "(a held-out region, not random positions, so neighbouring patterns do not leak), "
                    + "the top layers of an LPBF stack.")
            .check(v -> v >= 0 && v < 1, "0 <= value < 1")
            .withDefault(0.25));

    // ---- bragg.preprocess: raw data -> shards -----------------------------------------------

    public static final ConfigKey<Integer> PRE_BIN = add(ConfigKey.intKey("bragg.preprocess.bin")
            .doc("Bin each pattern by this factor in both detector axes (sum of bin x bin pixels).")
            .check(v -> v == 1 || v == 2 || v == 4 || v == 8, "1, 2, 4 or 8")
            .withDefault(1));

    public static final ConfigKey<String> PRE_SCALE = add(ConfigKey.stringKey("bragg.preprocess.scale")
            .doc("Intensity scaling before normalization: log (log1p, for the bright central beam), sqrt, or none.")
            .oneOf("log", "sqrt", "none")
            .withDefault("log"));

    public static final ConfigKey<Boolean> PRE_CENTER = add(ConfigKey.booleanKey("bragg.preprocess.center")
            .doc("Shift each pattern so the centre of mass of its central beam lies at the detector centre (removes descan).")
            .withDefault(false));

    public static final ConfigKey<String> PRE_DTYPE = add(ConfigKey.stringKey("bragg.preprocess.dtype")
            .doc("Element type of the pattern bytes in the shards.")
            .oneOf("float32", "float16")
            .withDefault("float32"));

    public static final ConfigKey<String> PRE_NAN = add(ConfigKey.stringKey("bragg.preprocess.non-finite")
            .doc("What to do with a frame holding NaN or Inf: fail (stop, naming the frame) or drop (count and skip it).")
            .oneOf("fail", "drop")
            .withDefault("fail"));

    public static final ConfigKey<Integer> PRE_PARTITIONS = add(ConfigKey.intKey("bragg.preprocess.partitions")
            .doc("Parquet partitions written; 0 = one per replica of bragg.train.replicas.")
            .check(v -> v >= 0, ">= 0")
            .withDefault(0));

    // ---- bragg.model ------------------------------------------------------------------------

    public static final ConfigKey<String> MODEL_KIND = add(ConfigKey.stringKey("bragg.model.kind")
            .doc("vit: one diffraction pattern -> class or values; stack: LPBF layer k attends to the layers below; "
                    + "scan: a neighbourhood of patterns as one long sequence.")
            .oneOf("vit", "stack", "scan")
            .withDefault("vit"));

    public static final ConfigKey<Integer> MODEL_PATCH = add(ConfigKey.intKey("bragg.model.patch")
            .doc("Patch size in pixels (the pattern's height and width must be multiples of it).")
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
            .check(v -> v >= 1 && v <= 48, "1..48")
            .withDefault(4));

    public static final ConfigKey<Integer> MODEL_MLP_RATIO = add(ConfigKey.intKey("bragg.model.mlp-ratio")
            .doc("Hidden width of each block's MLP as a multiple of D.")
            .check(v -> v >= 1 && v <= 16, "1..16")
            .withDefault(4));

    public static final ConfigKey<String> MODEL_HEAD = add(ConfigKey.stringKey("bragg.model.head")
            .doc("classification: softmax over the manifest's label names; regression: the shards' target values (MSE).")
            .oneOf("classification", "regression")
            .withDefault("classification"));

    public static final ConfigKey<Integer> MODEL_LAYERS_BELOW = add(ConfigKey.intKey("bragg.model.layers-below")
            .doc("stack model: how many layers below layer k are keys and values of its cross-attention.")
            .check(v -> v >= 1 && v <= 64, "1..64")
            .withDefault(4));

    // ---- bragg.train ------------------------------------------------------------------------

    public static final ConfigKey<Integer> TRAIN_REPLICAS = add(ConfigKey.intKey("bragg.train.replicas")
            .doc("Data-parallel replicas = barrier tasks; the cluster needs this many free task slots at once. "
                    + "0 = the default parallelism of the Spark context (the cores of local[N]).")
            .check(v -> v >= 0 && v <= 4096, "0..4096")
            .withDefault(0));

    public static final ConfigKey<Integer> TRAIN_EPOCHS = add(ConfigKey.intKey("bragg.train.epochs")
            .doc("Passes over the training shards.")
            .check(v -> v >= 1, ">= 1")
            .withDefault(10));

    public static final ConfigKey<Integer> TRAIN_BATCH = add(ConfigKey.intKey("bragg.train.batch-size")
            .doc("Minibatch per replica per step; the global batch is replicas x batch-size x accumulation.")
            .check(v -> v >= 1 && v <= 65536, "1..65536")
            .withDefault(32));

    public static final ConfigKey<Double> TRAIN_LR = add(ConfigKey.doubleKey("bragg.train.learning-rate")
            .doc("Peak learning rate of AdamW (after warm-up; cosine decay to zero at the last step).")
            .check(v -> v > 0 && v <= 1, "0 < value <= 1")
            .withDefault(1e-3));

    public static final ConfigKey<Double> TRAIN_WEIGHT_DECAY = add(ConfigKey.doubleKey("bragg.train.weight-decay")
            .doc("AdamW decoupled weight decay.")
            .check(v -> v >= 0 && v <= 1, "0..1")
            .withDefault(0.01));

    public static final ConfigKey<Integer> TRAIN_WARMUP = add(ConfigKey.intKey("bragg.train.warmup-steps")
            .doc("Steps of linear learning-rate warm-up.")
            .check(v -> v >= 0, ">= 0")
            .withDefault(20));

    public static final ConfigKey<Double> TRAIN_CLIP = add(ConfigKey.doubleKey("bragg.train.grad-clip")
            .doc("Clip the all-reduced gradient to this global L2 norm; 0 = no clipping.")
            .check(v -> v >= 0, ">= 0")
            .withDefault(1.0));

    public static final ConfigKey<Integer> TRAIN_ACCUMULATION = add(ConfigKey.intKey("bragg.train.accumulation")
            .doc("Micro-steps per optimizer step; gradients are all-reduced on the last micro-step only.")
            .check(v -> v >= 1 && v <= 1024, "1..1024")
            .withDefault(1));

    public static final ConfigKey<Long> TRAIN_SEED = add(ConfigKey.longKey("bragg.train.seed")
            .doc("Seed of parameter init and of the per-epoch shuffles (derived per epoch and rank).")
            .withDefault(42L));

    public static final ConfigKey<String> TRAIN_TRANSPORT = add(ConfigKey.stringKey("bragg.train.transport")
            .doc("Gradient all-reduce: ring (task-to-task TCP) or allgather (through the driver; tiny models only).")
            .oneOf("ring", "allgather")
            .withDefault("ring"));

    public static final ConfigKey<Integer> TRAIN_CHECKPOINT_EVERY = add(ConfigKey.intKey("bragg.train.checkpoint-every")
            .doc("Rank 0 writes a checkpoint every this many steps (and at the end); 0 = only at the end.")
            .check(v -> v >= 0, ">= 0")
            .withDefault(100));

    public static final ConfigKey<Integer> TRAIN_MAX_ATTEMPTS = add(ConfigKey.intKey("bragg.train.max-attempts")
            .doc("Barrier stage submissions before giving up; each retry resumes from the newest complete checkpoint.")
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

    // ---- bragg.kernels ----------------------------------------------------------------------

    public static final ConfigKey<String> KERNELS_DEVICE = add(ConfigKey.stringKey("bragg.kernels.device")
            .doc("Where attention runs: auto (an OpenCL GPU, else an OpenCL CPU device, else Java), opencl-gpu[:N] "
                    + "(the N-th OpenCL GPU), opencl-cpu[:N] (e.g. PoCL), java (plain multi-threaded Java). "
                    + "An explicit device that is not there stops the job; it never falls back.")
            .check(v -> v.matches("auto|opencl-(gpu|cpu)(:\\d+)?|java"), "auto, opencl-gpu[:N], opencl-cpu[:N] or java")
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
