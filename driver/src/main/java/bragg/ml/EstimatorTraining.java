package bragg.ml;

import bragg.driver.shards.PatternCodec;
import bragg.driver.train.ModelSettings;
import bragg.driver.train.TrainDriver;
import bragg.driver.train.TrainingRun;
import bragg.worker.collective.CollectiveConfig;
import bragg.worker.train.FaultInjection;
import bragg.worker.train.TrainConfig;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.apache.spark.sql.Column;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.functions;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructField;

/**
 * {@link BraggEstimator#fit}'s training: the estimator's params as the driver's
 * {@link ModelSettings} and training config, the input rows as the (id, label, target, pattern)
 * rows the shard planner takes, and one {@link TrainingRun}: what {@code bragg train} runs.
 */
final class EstimatorTraining {
    /** Barrier stage submissions before fit gives up (each retry resumes from the newest checkpoint). */
    static final int MAX_ATTEMPTS = 3;

    /** How ModelSettings names its fields in errors: as the params. */
    private static final ModelSettings.Naming PARAMS = new ModelSettings.Naming(
            Map.of("kind", "modelKind", "head", "the estimator's head"), "patternShape",
            "the features' channels must be layer k and the K layers below it");

    private EstimatorTraining() {
    }

    record Trained(byte[] modelZip, List<String> outputNames) {
    }

    /** The params as model settings, checked against samples of {@code shape}; errors name the params. */
    static ModelSettings modelSettings(BraggEstimator<?, ?> e, int[] shape, int outputs) {
        ModelSettings m = new ModelSettings();
        m.kind = e.getModelKind();
        m.patch = e.getPatch();
        m.dim = e.getDim();
        m.heads = e.getHeads();
        m.blocks = e.getBlocks();
        m.head = e.head();
        m.learningRate = e.getLearningRate();
        m.seed = e.getSeed();
        m.attentionDevice = e.getDevice();
        m.naming = PARAMS;
        try {
            m.config(shape, outputs);
        } catch (IllegalArgumentException ex) {
            throw new IllegalArgumentException("params of " + e.uid() + " do not fit patternShape "
                    + Arrays.toString(shape) + ": " + ex.getMessage(), ex);
        }
        return m;
    }

    static Trained train(BraggEstimator<?, ?> e, Dataset<Row> data, StructField features, int[] shape) {
        Dataset<Row> rows = shardRows(data, features, e.getLabelCol(), e.regression()).cache();
        try {
            List<String> outputs = e.outputNames(rows, features);
            int replicas = e.getReplicas() == 0 ? data.sparkSession().sparkContext().defaultParallelism() : e.getReplicas();
            TrainConfig d = TrainConfig.defaults("unused");
            TrainConfig tc = new TrainConfig(e.getSeed(), e.getEpochs(), e.getBatchSize(), 1, e.getLearningRate(),
                    d.warmupSteps(), d.minLrFraction(), e.getWeightDecay(), d.beta1(), d.beta2(), d.epsilon(), d.clipNorm(),
                    d.checkpointEvery(), d.hashCheckEvery(), checkpoints(e), d.shuffle(), FaultInjection.NONE,
                    d.buckets());
            Map<String, String> provenance = new LinkedHashMap<>(tc.describe());
            provenance.put("ml.uid", e.uid());
            provenance.put("ml.pattern_shape", Arrays.toString(shape));
            TrainDriver.Result r = TrainingRun.prepare(rows, replicas, tc, modelSettings(e, shape, outputs.size()), shape,
                    outputs.size(), FeatureColumn.dtype(features), "ring", CollectiveConfig.DEFAULT, version(), provenance)
                    .run(MAX_ATTEMPTS, step -> { });
            return new Trained(r.modelZip(), outputs);
        } catch (IOException ex) {
            throw new UncheckedIOException("bragg fit: " + ex.getMessage(), ex);
        } finally {
            rows.unpersist();
        }
    }

    /**
     * (id, label, target, pattern bytes) as the shard planner and the replicas read them, the
     * unlabelled rows left out: the input's long id column when it has one (the planner orders by
     * it), else a generated one; a classifier's class index in label (negative = unlabelled), a
     * regressor's value as the one target (null or NaN = unlabelled); array<float> patterns encoded
     * as float32 bytes.
     */
    static Dataset<Row> shardRows(Dataset<Row> data, StructField features, String labelCol, boolean regression) {
        boolean hasId = Arrays.asList(data.columns()).contains("id")
                && data.schema().apply("id").dataType().equals(DataTypes.LongType);
        Column id = hasId ? functions.col("id") : functions.monotonically_increasing_id();
        Column pattern = features.dataType().equals(DataTypes.BinaryType) ? functions.col(features.name())
                : functions.udf((org.apache.spark.sql.api.java.UDF1<scala.collection.Seq<Float>, byte[]>) EstimatorTraining::encode,
                        DataTypes.BinaryType).apply(functions.col(features.name()));
        Column y = functions.col(labelCol);
        Column label = regression ? functions.lit(0) : y.cast(DataTypes.IntegerType);
        Column target = regression ? functions.array(y.cast(DataTypes.FloatType))
                : functions.array().cast(DataTypes.createArrayType(DataTypes.FloatType));
        Column labelled = regression ? y.isNotNull().and(functions.not(functions.isnan(y.cast(DataTypes.DoubleType))))
                : y.cast(DataTypes.IntegerType).geq(0);
        return data.filter(labelled).select(id.as("id"), label.as("label"), target.as("target"), pattern.as("pattern"));
    }

    private static byte[] encode(scala.collection.Seq<Float> v) {
        float[] f = new float[v.size()];
        for (int i = 0; i < f.length; i++) {
            f[i] = v.apply(i);
        }
        return PatternCodec.encode(f, 0, f.length, "float32");
    }

    /** A fresh folder per fit: two fits (a TrainValidationSplit's) must never resume each other's checkpoints. */
    private static String checkpoints(BraggEstimator<?, ?> e) {
        String name = e.uid() + "-" + System.currentTimeMillis() + "-" + System.nanoTime() % 1_000_000;
        if (!e.getCheckpointDir().isEmpty()) {
            return new org.apache.hadoop.fs.Path(e.getCheckpointDir(), name).toString();
        }
        try {
            return Files.createTempDirectory("bragg-ml-").resolve(name).toString();
        } catch (IOException ex) {
            throw new UncheckedIOException("checkpointDir: empty, and no temporary folder can be made: " + ex.getMessage(), ex);
        }
    }

    private static String version() {
        String v = EstimatorTraining.class.getPackage().getImplementationVersion();
        return v == null ? "dev" : v;
    }
}
