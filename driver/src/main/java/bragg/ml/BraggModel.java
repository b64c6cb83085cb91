package bragg.ml;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.Path;
import org.apache.spark.api.java.JavaSparkContext;
import org.apache.spark.broadcast.Broadcast;
import org.apache.spark.ml.Model;
import org.apache.spark.ml.param.IntArrayParam;
import org.apache.spark.ml.param.IntParam;
import org.apache.spark.ml.param.Param;
import org.apache.spark.ml.param.ParamMap;
import org.apache.spark.ml.param.ParamValidators;
import org.apache.spark.ml.util.MLReader;
import org.apache.spark.ml.util.MLWritable;
import org.apache.spark.ml.util.MLWriter;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Encoders;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructField;
import org.apache.spark.sql.types.StructType;

/**
 * What {@link BraggClassificationModel} and {@link BraggRegressionModel} share: a trained bragg
 * model as a Spark ML Transformer. {@code transform} scores the features column in batches inside
 * each partition (the model zip broadcast once, each task restoring it and opening its attention
 * device as training does; see {@link ScoreRows}). Saved as Spark's stage metadata plus the DL4J
 * model zip.
 *
 * @param <M> the model itself, so that the setters chain
 */
public abstract class BraggModel<M extends BraggModel<M>> extends Model<M> implements MLWritable {
    private static final String ZIP = "model.zip";

    private final String uid;
    private final Param<String> labelCol;
    private final IntArrayParam patternShape;
    private final Param<String> featuresCol;
    private final Param<String> predictionCol;
    private final IntParam batchSize;
    private final byte[] modelZip;
    private final int[] shape;
    private final List<String> outputNames;
    private final boolean classifies;
    private final Factory<M> factory;
    private transient Broadcast<byte[]> broadcast;

    /**
     * @param outputNames one name per model output: the class names, or the target's
     * @param classifies  the prediction is the most probable class (else the one output of a regressor)
     * @param factory     the subclass's constructor (copy and load build the same model under a uid)
     */
    BraggModel(String uid, byte[] modelZip, int[] shape, List<String> outputNames, boolean classifies, Factory<M> factory,
               String label, String prediction) {
        this.uid = uid;
        this.classifies = classifies;
        this.factory = factory;
        // After the uid: a Param takes its parent's uid when it is made.
        labelCol = new Param<>(this, "labelCol", label + ", not read by transform");
        patternShape = new IntArrayParam(this, "patternShape",
                "[C, H, W] of one pattern, equal to the shape the model was trained on");
        featuresCol = new Param<>(this, "featuresCol", "patterns: array<float> or binary (float32 LE)");
        predictionCol = new Param<>(this, "predictionCol", prediction);
        batchSize = new IntParam(this, "batchSize", "patterns per forward pass", ParamValidators.gtEq(1));
        this.modelZip = modelZip;
        this.shape = shape.clone();
        this.outputNames = List.copyOf(outputNames);
        setDefault(featuresCol, "pattern");
        setDefault(labelCol, "label");
        setDefault(predictionCol, "prediction");
        setDefault(batchSize, 32);
    }

    @Override
    public String uid() {
        return uid;
    }

    @SuppressWarnings("unchecked")
    private M self() {
        return (M) this;
    }

    public Param<String> featuresCol() { return featuresCol; }
    public Param<String> labelCol() { return labelCol; }
    public Param<String> predictionCol() { return predictionCol; }
    public IntArrayParam patternShape() { return patternShape; }
    public IntParam batchSize() { return batchSize; }

    public M setFeaturesCol(String v) { set(featuresCol, v); return self(); }
    public M setPredictionCol(String v) { set(predictionCol, v); return self(); }
    public M setBatchSize(int v) { set(batchSize, v); return self(); }

    public String getFeaturesCol() { return $(featuresCol); }
    public String getPredictionCol() { return $(predictionCol); }
    public int getBatchSize() { return (Integer) $(batchSize); }

    /** [C, H, W] of the patterns the model was trained on. */
    public int[] trainedShape() {
        return shape.clone();
    }

    /** The DL4J ComputationGraph zip (ModelSerializer, no updater state). */
    public byte[] modelZip() {
        return modelZip.clone();
    }

    List<String> outputNames() {
        return outputNames;
    }

    /**
     * Checks a model zip made elsewhere (a bragg train run's model.zip) before it is wrapped: it
     * restores, and its output layer has one output per name; errors name the argument.
     */
    static void checkZip(byte[] modelZip, int[] shape, List<String> outputNames) {
        if (shape == null || shape.length != 3 || Arrays.stream(shape).anyMatch(d -> d <= 0)) {
            throw new IllegalArgumentException("patternShape: must be [C, H, W] with every axis > 0, found "
                    + Arrays.toString(shape));
        }
        org.deeplearning4j.nn.graph.ComputationGraph g = bragg.driver.score.Predictions.restore(modelZip, "modelZip");
        String out = g.getConfiguration().getNetworkOutputs().get(0);
        long n = g.layerSize(out);
        if (n != outputNames.size()) {
            throw new IllegalArgumentException("modelZip: the model's output layer '" + out + "' has " + n
                    + " outputs, the names given are " + outputNames.size() + " " + outputNames);
        }
    }

    /** The probability vector column transform adds, "" for none. */
    String probabilityColumn() {
        return "";
    }

    @Override
    public StructType transformSchema(StructType schema) {
        StructField f = FeatureColumn.field(schema, "featuresCol", getFeaturesCol());
        int[] s = FeatureColumn.shape(f, isDefined(patternShape) ? $(patternShape) : shape);
        if (!Arrays.equals(s, shape)) {
            throw new IllegalArgumentException("patternShape: column '" + f.name() + "' holds patterns of "
                    + Arrays.toString(s) + ", the model was trained on " + Arrays.toString(shape));
        }
        return ScoreRows.outputSchema(schema, getPredictionCol(), probabilityColumn());
    }

    @Override
    public Dataset<Row> transform(Dataset<?> dataset) {
        StructType out = transformSchema(dataset.schema());
        StructField f = dataset.schema().apply(getFeaturesCol());
        Dataset<Row> in = dataset.toDF();
        return in.mapPartitions(new ScoreRows(broadcast(in.sparkSession()), shape, getBatchSize(),
                dataset.schema().fieldIndex(f.name()), f.dataType().equals(DataTypes.BinaryType), FeatureColumn.dtype(f),
                classifies, !probabilityColumn().isEmpty()), Encoders.row(out));
    }

    /** The zip travels to each executor once per model, not with every task (transform is lazy: kept while the model lives). */
    private synchronized Broadcast<byte[]> broadcast(SparkSession spark) {
        if (broadcast == null) {
            broadcast = JavaSparkContext.fromSparkContext(spark.sparkContext()).broadcast(modelZip);
        }
        return broadcast;
    }

    @Override
    public M copy(ParamMap extra) {
        M m = factory.make(uid, modelZip, shape, outputNames);
        copyValues(m, extra);
        return m.setParent(parent());
    }

    @Override
    public MLWriter write() {
        return new Writer(this);
    }

    private static final class Writer extends MLWriter {
        private final BraggModel<?> model;

        Writer(BraggModel<?> model) {
            this.model = model;
        }

        @Override
        public void saveImpl(String path) {
            ObjectNode bragg = new ObjectMapper().createObjectNode();
            Arrays.stream(model.shape).forEach(bragg.putArray("pattern_shape")::add);
            model.outputNames.forEach(bragg.putArray("label_names")::add);
            ParamsFile.write(model, path, sparkSession(), bragg);
            Path zip = new Path(path, ZIP);
            try (OutputStream out = zip.getFileSystem(sc().hadoopConfiguration()).create(zip, false)) {
                out.write(model.modelZip);
            } catch (IOException e) {
                throw new UncheckedIOException(zip + ": cannot write: " + e.getMessage(), e);
            }
        }
    }

    /** How a subclass's {@code read()} builds the loaded model. */
    @FunctionalInterface
    interface Factory<M> {
        M make(String uid, byte[] modelZip, int[] shape, List<String> outputNames);
    }

    /** Loads a model saved by {@link #write()}: the metadata (checked to be of {@code type}), then the zip. */
    static final class Reader<M extends BraggModel<M>> extends MLReader<M> {
        private final Class<M> type;
        private final Factory<M> factory;

        Reader(Class<M> type, Factory<M> factory) {
            this.type = type;
            this.factory = factory;
        }

        @Override
        public M load(String path) {
            ParamsFile.Saved saved = ParamsFile.read(path, sparkSession(), type);
            JsonNode b = saved.bragg();
            if (!b.path("pattern_shape").isArray() || !b.path("label_names").isArray()) {
                throw new IllegalArgumentException(path + ": metadata lacks bragg.pattern_shape or bragg.label_names "
                        + "(not saved by " + type.getSimpleName() + ")");
            }
            int[] shape = new int[b.get("pattern_shape").size()];
            for (int i = 0; i < shape.length; i++) {
                shape[i] = b.get("pattern_shape").get(i).asInt();
            }
            List<String> names = new ArrayList<>();
            b.get("label_names").forEach(n -> names.add(n.asText()));
            Path zip = new Path(path, ZIP);
            byte[] bytes;
            try {
                FileSystem fs = zip.getFileSystem(sc().hadoopConfiguration());
                try (InputStream in = fs.open(zip)) {
                    bytes = in.readAllBytes();
                }
            } catch (IOException e) {
                throw new UncheckedIOException(zip + ": cannot read the model: " + e.getMessage(), e);
            }
            M m = factory.make(saved.uid(), bytes, shape, names);
            ParamsFile.apply(m, saved);
            return m;
        }
    }
}
