package bragg.ml;

import java.util.List;
import org.apache.spark.ml.Estimator;
import org.apache.spark.ml.param.DoubleParam;
import org.apache.spark.ml.param.IntArrayParam;
import org.apache.spark.ml.param.IntParam;
import org.apache.spark.ml.param.LongParam;
import org.apache.spark.ml.param.Param;
import org.apache.spark.ml.param.ParamMap;
import org.apache.spark.ml.param.ParamValidators;
import org.apache.spark.ml.util.Identifiable$;
import org.apache.spark.ml.util.MLReader;
import org.apache.spark.ml.util.MLWritable;
import org.apache.spark.ml.util.MLWriter;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.types.StructField;
import org.apache.spark.sql.types.StructType;

/**
 * Spark ML Estimator of a bragg classifier: {@code fit} trains on the same barrier stage as
 * {@code bragg train} (one barrier job, every task a replica, gradients all-reduced over the TCP
 * ring) and returns a {@link BraggClassificationModel}. Params are checked in
 * {@link #transformSchema} and {@link #fit} before any training starts.
 */
public final class BraggClassifier extends Estimator<BraggClassificationModel> implements MLWritable {
    private final String uid;
    private final IntArrayParam patternShape;
    private final IntParam replicas;
    private final Param<String> checkpointDir;
    private final Param<String> featuresCol;
    private final Param<String> labelCol;
    private final Param<String> predictionCol;
    private final Param<String> probabilityCol;
    private final Param<String> modelKind;
    private final IntParam dim;
    private final IntParam heads;
    private final IntParam blocks;
    private final IntParam patch;
    private final IntParam epochs;
    private final IntParam batchSize;
    private final DoubleParam learningRate;
    private final DoubleParam weightDecay;
    private final LongParam seed;
    private final Param<String> device;
    private final Param<String> config;


    public BraggClassifier() {
        this(Identifiable$.MODULE$.randomUID("braggClassifier"));
    }

    public BraggClassifier(String uid) {
        this.uid = uid;
        // After the uid: a Param takes its parent's uid when it is made.
        patternShape = new IntArrayParam(this, "patternShape",
                "[C, H, W] of one pattern (unset: the features column's metadata)");
        replicas = new IntParam(this, "replicas", "barrier tasks, 0 = Spark's default parallelism",
                ParamValidators.gtEq(0));
        checkpointDir = new Param<>(this, "checkpointDir",
                "Hadoop folder for checkpoints (each fit uses a fresh subfolder), empty = a local temporary folder");
        featuresCol = new Param<>(this, "featuresCol", "patterns: array<float> or binary (float32 LE)");
        labelCol = new Param<>(this, "labelCol", "class index (numeric)");
        predictionCol = new Param<>(this, "predictionCol", "predicted class index (double)");
        probabilityCol = new Param<>(this, "probabilityCol", "class probabilities (vector)");
        modelKind = new Param<>(this, "modelKind", "vit (patterns) or stack (LPBF layer stacks)",
                ParamValidators.inArray(new String[] {"vit", "stack"}));
        dim = new IntParam(this, "dim", "token width D (a multiple of heads)", ParamValidators.inRange(1, 4096));
        heads = new IntParam(this, "heads", "attention heads per block", ParamValidators.inRange(1, 64));
        blocks = new IntParam(this, "blocks", "transformer blocks", ParamValidators.inRange(0, 48));
        patch = new IntParam(this, "patch", "patch side P in pixels", ParamValidators.inRange(1, 256));
        epochs = new IntParam(this, "epochs", "passes over each replica's shard", ParamValidators.gtEq(1));
        batchSize = new IntParam(this, "batchSize", "samples per replica per step (and per forward pass in transform)",
                ParamValidators.gtEq(1));
        learningRate = new DoubleParam(this, "learningRate", "peak AdamW learning rate",
                ParamValidators.inRange(0, 1, false, true));
        weightDecay = new DoubleParam(this, "weightDecay", "AdamW decoupled weight decay",
                ParamValidators.inRange(0, 1));
        seed = new LongParam(this, "seed", "seed of initialization and shuffles");
        device = new Param<>(this, "device",
                "attention device: auto, opencl-gpu[:N], opencl-cpu[:N], java");
        config = new Param<>(this, "config", "a bragg job config (HOCON) whose bragg.* keys give the params "
                + "not set on this stage their values; empty = none");
        setDefault(config, "");
        setDefault(featuresCol, "pattern");
        setDefault(labelCol, "label");
        setDefault(predictionCol, "prediction");
        setDefault(probabilityCol, "probability");
        setDefault(modelKind, "vit");
        setDefault(dim, 128);
        setDefault(heads, 4);
        setDefault(blocks, 4);
        setDefault(patch, 8);
        setDefault(epochs, 3);
        setDefault(batchSize, 32);
        setDefault(learningRate, 1e-3);
        setDefault(weightDecay, 0.01);
        setDefault(replicas, 0);
        setDefault(seed, 42L);
        setDefault(device, "auto");
        setDefault(checkpointDir, "");
    }

    @Override
    public String uid() {
        return uid;
    }

    // Spark finds a stage's params through its public no-argument methods returning a Param.
    public Param<String> featuresCol() { return featuresCol; }
    public Param<String> labelCol() { return labelCol; }
    public Param<String> predictionCol() { return predictionCol; }
    public Param<String> probabilityCol() { return probabilityCol; }
    public IntArrayParam patternShape() { return patternShape; }
    public Param<String> modelKind() { return modelKind; }
    public IntParam dim() { return dim; }
    public IntParam heads() { return heads; }
    public IntParam blocks() { return blocks; }
    public IntParam patch() { return patch; }
    public IntParam epochs() { return epochs; }
    public IntParam batchSize() { return batchSize; }
    public DoubleParam learningRate() { return learningRate; }
    public DoubleParam weightDecay() { return weightDecay; }
    public IntParam replicas() { return replicas; }
    public LongParam seed() { return seed; }
    public Param<String> device() { return device; }
    public Param<String> checkpointDir() { return checkpointDir; }
    public Param<String> config() { return config; }

    public BraggClassifier setFeaturesCol(String v) { set(featuresCol, v); return this; }
    public BraggClassifier setLabelCol(String v) { set(labelCol, v); return this; }
    public BraggClassifier setPredictionCol(String v) { set(predictionCol, v); return this; }
    public BraggClassifier setProbabilityCol(String v) { set(probabilityCol, v); return this; }
    public BraggClassifier setPatternShape(int[] v) { set(patternShape, v); return this; }
    public BraggClassifier setModelKind(String v) { set(modelKind, v); return this; }
    public BraggClassifier setDim(int v) { set(dim, v); return this; }
    public BraggClassifier setHeads(int v) { set(heads, v); return this; }
    public BraggClassifier setBlocks(int v) { set(blocks, v); return this; }
    public BraggClassifier setPatch(int v) { set(patch, v); return this; }
    public BraggClassifier setEpochs(int v) { set(epochs, v); return this; }
    public BraggClassifier setBatchSize(int v) { set(batchSize, v); return this; }
    public BraggClassifier setLearningRate(double v) { set(learningRate, v); return this; }
    public BraggClassifier setWeightDecay(double v) { set(weightDecay, v); return this; }
    public BraggClassifier setReplicas(int v) { set(replicas, v); return this; }
    public BraggClassifier setSeed(long v) { set(seed, v); return this; }
    public BraggClassifier setDevice(String v) { set(device, v); return this; }
    public BraggClassifier setCheckpointDir(String v) { set(checkpointDir, v); return this; }
    public BraggClassifier setConfig(String v) { set(config, v); return this; }

    public String getFeaturesCol() { return $(featuresCol); }
    public String getLabelCol() { return $(labelCol); }
    public String getPredictionCol() { return $(predictionCol); }
    public String getProbabilityCol() { return $(probabilityCol); }
    /** The shape set on this stage, or null (then the features column's metadata supplies it). */
    public int[] getPatternShape() { return isDefined(patternShape) ? $(patternShape) : null; }
    public String getModelKind() { return $(modelKind); }
    public int getDim() { return (Integer) $(dim); }
    public int getHeads() { return (Integer) $(heads); }
    public int getBlocks() { return (Integer) $(blocks); }
    public int getPatch() { return (Integer) $(patch); }
    public int getEpochs() { return (Integer) $(epochs); }
    public int getBatchSize() { return (Integer) $(batchSize); }
    public double getLearningRate() { return (Double) $(learningRate); }
    public double getWeightDecay() { return (Double) $(weightDecay); }
    public int getReplicas() { return (Integer) $(replicas); }
    public long getSeed() { return (Long) $(seed); }
    public String getDevice() { return $(device); }
    public String getCheckpointDir() { return $(checkpointDir); }
    public String getConfig() { return $(config); }

    /**
     * Checks the input's columns (features array<float> or binary, label numeric, outputs absent),
     * that a pattern shape is known, and that the model params (after the config file's) fit it;
     * returns the output schema.
     */
    @Override
    public StructType transformSchema(StructType schema) {
        return ConfigFileParams.resolved(this).checkSchema(schema);
    }

    private StructType checkSchema(StructType schema) {
        StructField f = FeatureColumn.field(schema, "featuresCol", getFeaturesCol());
        FeatureColumn.checkNumeric(schema, "labelCol", getLabelCol());
        ClassifierTraining.modelConfig(this, FeatureColumn.shape(f, getPatternShape()), 2);
        return ScoreRows.outputSchema(schema, getPredictionCol(), getProbabilityCol());
    }

    @Override
    public BraggClassificationModel fit(Dataset<?> dataset) {
        BraggClassifier c = ConfigFileParams.resolved(this);
        c.checkSchema(dataset.schema());
        StructField f = dataset.schema().apply(getFeaturesCol());
        int[] shape = FeatureColumn.shape(f, getPatternShape());
        FeatureColumn.checkLengths(dataset.toDF(), f, shape);
        ClassifierTraining.Trained t = ClassifierTraining.train(c, dataset.toDF(), f, shape);
        BraggClassificationModel m = new BraggClassificationModel(uid, t.modelZip(), shape, t.labelNames());
        c.copyValues(m, ParamMap.empty());
        return m.setParent(this);
    }

    @Override
    public BraggClassifier copy(ParamMap extra) {
        return (BraggClassifier) defaultCopy(extra);
    }

    @Override
    public MLWriter write() {
        return new ParamsOnlyWriter(this);
    }

    public static MLReader<BraggClassifier> read() {
        return new ParamsOnlyWriter.Reader<>(BraggClassifier.class, BraggClassifier::new);
    }

    public static BraggClassifier load(String path) {
        return read().load(path);
    }

    /** The label names the classifier will give its model when the features carry none. */
    static List<String> indexNames(int classes) {
        return java.util.stream.IntStream.range(0, classes).mapToObj(Integer::toString).toList();
    }
}
