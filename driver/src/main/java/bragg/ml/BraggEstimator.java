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
import org.apache.spark.ml.util.MLWritable;
import org.apache.spark.ml.util.MLWriter;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.types.StructField;
import org.apache.spark.sql.types.StructType;

/**
 * What {@link BraggClassifier} and {@link BraggRegressor} share: their params, the schema checks
 * and {@code fit}, which trains on the same barrier stage as {@code bragg train} (one barrier job,
 * every task a replica, gradients all-reduced over the TCP ring; see {@link EstimatorTraining}).
 * Params are checked in {@link #transformSchema} and {@link #fit} before any training starts. The
 * subclasses differ in the head (softmax on class indices, or MSE on a double label), the outputs
 * they add and their model class.
 *
 * @param <M> the fitted model
 * @param <E> the estimator itself, so that the setters chain
 */
public abstract class BraggEstimator<M extends BraggModel<M>, E extends BraggEstimator<M, E>> extends Estimator<M>
        implements MLWritable {
    private final String uid;
    private final IntArrayParam patternShape;
    private final IntParam replicas;
    private final Param<String> checkpointDir;
    private final Param<String> featuresCol;
    private final Param<String> labelCol;
    private final Param<String> predictionCol;
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
    private final BraggModel.Factory<M> model;

    /**
     * @param model      the fitted model's constructor
     * @param label      what the label column holds, and prediction what the prediction column will
     */
    BraggEstimator(String uid, BraggModel.Factory<M> model, String label, String prediction) {
        this.uid = uid;
        this.model = model;
        // After the uid: a Param takes its parent's uid when it is made.
        patternShape = new IntArrayParam(this, "patternShape",
                "[C, H, W] of one pattern (unset: the features column's metadata)");
        replicas = new IntParam(this, "replicas", "barrier tasks, 0 = Spark's default parallelism",
                ParamValidators.gtEq(0));
        checkpointDir = new Param<>(this, "checkpointDir",
                "Hadoop folder for checkpoints (each fit uses a fresh subfolder), empty = a local temporary folder");
        featuresCol = new Param<>(this, "featuresCol", "patterns: array<float> or binary (float32 LE)");
        labelCol = new Param<>(this, "labelCol", label);
        predictionCol = new Param<>(this, "predictionCol", prediction);
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

    @SuppressWarnings("unchecked")
    private E self() {
        return (E) this;
    }

    // Spark finds a stage's params through its public no-argument methods returning a Param.
    public Param<String> featuresCol() { return featuresCol; }
    public Param<String> labelCol() { return labelCol; }
    public Param<String> predictionCol() { return predictionCol; }
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

    public E setFeaturesCol(String v) { set(featuresCol, v); return self(); }
    public E setLabelCol(String v) { set(labelCol, v); return self(); }
    public E setPredictionCol(String v) { set(predictionCol, v); return self(); }
    public E setPatternShape(int[] v) { set(patternShape, v); return self(); }
    public E setModelKind(String v) { set(modelKind, v); return self(); }
    public E setDim(int v) { set(dim, v); return self(); }
    public E setHeads(int v) { set(heads, v); return self(); }
    public E setBlocks(int v) { set(blocks, v); return self(); }
    public E setPatch(int v) { set(patch, v); return self(); }
    public E setEpochs(int v) { set(epochs, v); return self(); }
    public E setBatchSize(int v) { set(batchSize, v); return self(); }
    public E setLearningRate(double v) { set(learningRate, v); return self(); }
    public E setWeightDecay(double v) { set(weightDecay, v); return self(); }
    public E setReplicas(int v) { set(replicas, v); return self(); }
    public E setSeed(long v) { set(seed, v); return self(); }
    public E setDevice(String v) { set(device, v); return self(); }
    public E setCheckpointDir(String v) { set(checkpointDir, v); return self(); }
    public E setConfig(String v) { set(config, v); return self(); }

    public String getFeaturesCol() { return $(featuresCol); }
    public String getLabelCol() { return $(labelCol); }
    public String getPredictionCol() { return $(predictionCol); }
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

    /** The model's head: "classification" or "regression" (as bragg.model.head names them). */
    abstract String head();

    /**
     * The names of the model's outputs, from the training rows ({@link EstimatorTraining#shardRows}):
     * the K class names, or the one target's; fails naming labelCol when they cannot train a model.
     */
    abstract List<String> outputNames(Dataset<Row> rows, StructField features);

    /** The probability vector column this stage adds, "" for none. */
    String probabilityColumn() {
        return "";
    }

    boolean regression() {
        return head().equals("regression");
    }

    /**
     * Checks the input's columns (features array<float> or binary, label numeric, outputs absent),
     * that a pattern shape is known, and that the model params (after the config file's) fit it;
     * returns the output schema.
     */
    @Override
    public StructType transformSchema(StructType schema) {
        return ConfigFileParams.resolved(self()).checkSchema(schema);
    }

    final StructType checkSchema(StructType schema) {
        StructField f = FeatureColumn.field(schema, "featuresCol", getFeaturesCol());
        FeatureColumn.checkNumeric(schema, "labelCol", getLabelCol(), regression() ? "a target value" : "a class index");
        EstimatorTraining.modelSettings(this, FeatureColumn.shape(f, getPatternShape()), regression() ? 1 : 2);
        return ScoreRows.outputSchema(schema, getPredictionCol(), probabilityColumn());
    }

    @Override
    public M fit(Dataset<?> dataset) {
        E c = ConfigFileParams.resolved(self());
        c.checkSchema(dataset.schema());
        StructField f = dataset.schema().apply(getFeaturesCol());
        int[] shape = FeatureColumn.shape(f, getPatternShape());
        FeatureColumn.checkLengths(dataset.toDF(), f, shape);
        EstimatorTraining.Trained t = EstimatorTraining.train(c, dataset.toDF(), f, shape);
        M m = model.make(uid, t.modelZip(), shape, t.outputNames());
        c.copyValues(m, ParamMap.empty());
        return m.setParent(this);
    }

    @Override
    @SuppressWarnings("unchecked")
    public E copy(ParamMap extra) {
        return (E) defaultCopy(extra);   // the subclass's (String uid) constructor, then the params
    }

    @Override
    public MLWriter write() {
        return new ParamsOnlyWriter(this);
    }
}
