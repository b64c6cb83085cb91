package bragg.ml;

import bragg.driver.shards.PatternCodec;
import bragg.driver.train.ReplicaSpec;
import bragg.driver.train.ShardPlanner;
import bragg.driver.train.TrainDriver;
import bragg.worker.collective.CollectiveConfig;
import bragg.worker.model.PatchModelConfig;
import bragg.worker.model.StackConfig;
import bragg.worker.model.StackModel;
import bragg.worker.model.VitConfig;
import bragg.worker.model.VitModel;
import bragg.worker.train.FaultInjection;
import bragg.worker.train.Optimizers;
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
import org.deeplearning4j.nn.conf.ComputationGraphConfiguration;
import org.nd4j.linalg.learning.config.Adam;

/**
 * {@link BraggClassifier#fit}'s training: the classifier's params onto the worker's model and
 * training configs, the input rows into the (id, label, pattern) rows the shard planner takes, and
 * one run of {@link TrainDriver} — the barrier stage {@code bragg train} runs.
 */
final class ClassifierTraining {
    /** Barrier stage submissions before fit gives up (each retry resumes from the newest checkpoint). */
    static final int MAX_ATTEMPTS = 3;

    private ClassifierTraining() {
    }

    record Trained(byte[] modelZip, List<String> labelNames) {
    }

    /** The model's config for samples of {@code shape}; errors name the param. */
    static PatchModelConfig modelConfig(BraggClassifier c, int[] shape, int classes) {
        PatchModelConfig m;
        if (c.getModelKind().equals("stack")) {
            if (shape[0] < 2) {
                throw new IllegalArgumentException("modelKind: stack needs patterns of K+1 >= 2 layers on the channel axis; "
                        + "patternShape is " + Arrays.toString(shape));
            }
            StackConfig s = new StackConfig();
            s.layersBelow = shape[0] - 1;
            s.head = "per-layer";
            m = s;
        } else {
            VitConfig v = new VitConfig();
            v.channels = shape[0];
            m = v;
        }
        m.height = shape[1];
        m.width = shape[2];
        m.patch = c.getPatch();
        m.dim = c.getDim();
        m.heads = c.getHeads();
        m.blocks = c.getBlocks();
        m.outputs = classes;
        m.learningRate = c.getLearningRate();
        m.seed = c.getSeed();
        m.attentionDevice = c.getDevice();
        try {
            if (m instanceof StackConfig s) {
                s.validate();
            } else {
                ((VitConfig) m).validate();
            }
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("params of " + c.uid() + " do not fit patternShape "
                    + Arrays.toString(shape) + ": " + e.getMessage(), e);
        }
        return m;
    }

    static Trained train(BraggClassifier c, Dataset<Row> data, StructField features, int[] shape) {
        Dataset<Row> rows = shardRows(data, features, c.getLabelCol()).filter(functions.col("label").geq(0)).cache();
        try {
            List<String> labels = FeatureColumn.labels(features);
            if (labels == null) {
                Row max = rows.agg(functions.max("label")).first();
                labels = BraggClassifier.indexNames(max.isNullAt(0) ? 0 : max.getInt(0) + 1);
            }
            if (labels.size() < 2) {
                throw new IllegalArgumentException("labelCol: column '" + c.getLabelCol() + "' names " + labels.size()
                        + " class(es); a classifier needs at least 2");
            }
            int replicas = c.getReplicas() == 0 ? data.sparkSession().sparkContext().defaultParallelism() : c.getReplicas();
            ShardPlanner.Plan plan = ShardPlanner.plan(rows.count(), replicas);
            TrainConfig d = TrainConfig.defaults("unused");
            TrainConfig tc = new TrainConfig(c.getSeed(), c.getEpochs(), c.getBatchSize(), 1, c.getLearningRate(),
                    d.warmupSteps(), d.minLrFraction(), c.getWeightDecay(), d.beta1(), d.beta2(), d.epsilon(), d.clipNorm(),
                    d.checkpointEvery(), d.hashCheckEvery(), checkpoints(c), d.shuffle(), FaultInjection.NONE);
            int totalSteps = tc.stepsPerEpoch((int) plan.perRank()) * tc.epochs();
            PatchModelConfig m = modelConfig(c, shape, labels.size());
            Adam adam = new Adam(c.getLearningRate());
            ComputationGraphConfiguration conf = m instanceof StackConfig s ? StackModel.configuration(s, adam)
                    : VitModel.configuration((VitConfig) m, adam);
            Optimizers.applyAdamW(conf, tc, totalSteps);
            Map<String, String> provenance = new LinkedHashMap<>(tc.describe());
            provenance.put("ml.uid", c.uid());
            provenance.put("ml.pattern_shape", Arrays.toString(shape));
            ReplicaSpec spec = new ReplicaSpec(conf.toJson(), tc, shape, labels.size(), FeatureColumn.dtype(features),
                    "ring", CollectiveConfig.DEFAULT, version(), provenance);
            TrainDriver.Result r = TrainDriver.run(rows, plan, MAX_ATTEMPTS, spec, step -> { });
            return new Trained(r.modelZip(), labels);
        } catch (IOException e) {
            throw new UncheckedIOException("bragg fit: " + e.getMessage(), e);
        } finally {
            rows.unpersist();
        }
    }

    /**
     * (id, label, pattern bytes) as the shard planner and the replicas read them: the input's long
     * id column when it has one (the planner orders by it), else a generated one; array<float>
     * patterns encoded as float32 bytes.
     */
    static Dataset<Row> shardRows(Dataset<Row> data, StructField features, String labelCol) {
        boolean hasId = Arrays.asList(data.columns()).contains("id")
                && data.schema().apply("id").dataType().equals(DataTypes.LongType);
        Column id = hasId ? functions.col("id") : functions.monotonically_increasing_id();
        Column pattern = features.dataType().equals(DataTypes.BinaryType) ? functions.col(features.name())
                : functions.udf((org.apache.spark.sql.api.java.UDF1<scala.collection.Seq<Float>, byte[]>) ClassifierTraining::encode,
                        DataTypes.BinaryType).apply(functions.col(features.name()));
        return data.select(id.as("id"), functions.col(labelCol).cast(DataTypes.IntegerType).as("label"), pattern.as("pattern"));
    }

    private static byte[] encode(scala.collection.Seq<Float> v) {
        float[] f = new float[v.size()];
        for (int i = 0; i < f.length; i++) {
            f[i] = v.apply(i);
        }
        return PatternCodec.encode(f, 0, f.length, "float32");
    }

    /** A fresh folder per fit: two fits (a TrainValidationSplit's) must never resume each other's checkpoints. */
    private static String checkpoints(BraggClassifier c) {
        String name = c.uid() + "-" + System.currentTimeMillis() + "-" + System.nanoTime() % 1_000_000;
        if (!c.getCheckpointDir().isEmpty()) {
            return new org.apache.hadoop.fs.Path(c.getCheckpointDir(), name).toString();
        }
        try {
            return Files.createTempDirectory("bragg-ml-").resolve(name).toString();
        } catch (IOException e) {
            throw new UncheckedIOException("checkpointDir: empty, and no temporary folder can be made: " + e.getMessage(), e);
        }
    }

    private static String version() {
        String v = ClassifierTraining.class.getPackage().getImplementationVersion();
        return v == null ? "dev" : v;
    }
}
