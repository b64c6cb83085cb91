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
 * A trained bragg classifier as a Spark ML Transformer: {@code transform} scores the features
 * column in batches inside each partition (the model zip broadcast once, each task restoring it
 * and opening its attention device as training does) and adds {@code prediction} (double) and
 * {@code probability} (vector). Saved as Spark's stage metadata plus the DL4J model zip.
 */
public final class BraggClassificationModel extends Model<BraggClassificationModel> implements MLWritable {
    private static final String ZIP = "model.zip";

    private final String uid;
    private final Param<String> labelCol;
    private final Param<String> probabilityCol;
    private final IntArrayParam patternShape;
    private final Param<String> featuresCol;
    private final Param<String> predictionCol;
    private final IntParam batchSize;
    private final byte[] modelZip;
    private final int[] shape;
    private final List<String> labelNames;
    private transient Broadcast<byte[]> broadcast;


    BraggClassificationModel(String uid, byte[] modelZip, int[] shape, List<String> labelNames) {
        this.uid = uid;
        // After the uid: a Param takes its parent's uid when it is made.
        labelCol = new Param<>(this, "labelCol", "class index (numeric), not read by transform");
        probabilityCol = new Param<>(this, "probabilityCol",
                "class probabilities (vector), empty = not added");
        patternShape = new IntArrayParam(this, "patternShape",
                "[C, H, W] of one pattern, equal to the shape the model was trained on");
        featuresCol = new Param<>(this, "featuresCol", "patterns: array<float> or binary (float32 LE)");
        predictionCol = new Param<>(this, "predictionCol", "predicted class index (double)");
        batchSize = new IntParam(this, "batchSize", "patterns per forward pass", ParamValidators.gtEq(1));
        this.modelZip = modelZip;
        this.shape = shape.clone();
        this.labelNames = List.copyOf(labelNames);
        setDefault(featuresCol, "pattern");
        setDefault(labelCol, "label");
        setDefault(predictionCol, "prediction");
        setDefault(probabilityCol, "probability");
        setDefault(batchSize, 32);
    }

    @Override
    public String uid() {
        return uid;
    }

    public Param<String> featuresCol() { return featuresCol; }
    public Param<String> labelCol() { return labelCol; }
    public Param<String> predictionCol() { return predictionCol; }
    public Param<String> probabilityCol() { return probabilityCol; }
    public IntArrayParam patternShape() { return patternShape; }
    public IntParam batchSize() { return batchSize; }

    public BraggClassificationModel setFeaturesCol(String v) { set(featuresCol, v); return this; }
    public BraggClassificationModel setPredictionCol(String v) { set(predictionCol, v); return this; }
    public BraggClassificationModel setProbabilityCol(String v) { set(probabilityCol, v); return this; }
    public BraggClassificationModel setBatchSize(int v) { set(batchSize, v); return this; }

    public String getFeaturesCol() { return $(featuresCol); }
    public String getPredictionCol() { return $(predictionCol); }
    public String getProbabilityCol() { return $(probabilityCol); }
    public int getBatchSize() { return (Integer) $(batchSize); }

    /** Classes K of the model's head. */
    public int numClasses() {
        return labelNames.size();
    }

    /** The class names, index k = class k (the shards' label names, or "0".."K-1"). */
    public List<String> labelNames() {
        return labelNames;
    }

    /** [C, H, W] of the patterns the model was trained on. */
    public int[] trainedShape() {
        return shape.clone();
    }

    /** The DL4J ComputationGraph zip (ModelSerializer, no updater state). */
    public byte[] modelZip() {
        return modelZip.clone();
    }

    @Override
    public StructType transformSchema(StructType schema) {
        StructField f = FeatureColumn.field(schema, "featuresCol", getFeaturesCol());
        int[] s = FeatureColumn.shape(f, isDefined(patternShape) ? $(patternShape) : shape);
        if (!Arrays.equals(s, shape)) {
            throw new IllegalArgumentException("patternShape: column '" + f.name() + "' holds patterns of "
                    + Arrays.toString(s) + ", the model was trained on " + Arrays.toString(shape));
        }
        return ScoreRows.outputSchema(schema, getPredictionCol(), getProbabilityCol());
    }

    @Override
    public Dataset<Row> transform(Dataset<?> dataset) {
        StructType out = transformSchema(dataset.schema());
        StructField f = dataset.schema().apply(getFeaturesCol());
        Dataset<Row> in = dataset.toDF();
        return in.mapPartitions(new ScoreRows(broadcast(in.sparkSession()), shape, getBatchSize(),
                dataset.schema().fieldIndex(f.name()), f.dataType().equals(DataTypes.BinaryType), FeatureColumn.dtype(f),
                !getProbabilityCol().isEmpty()), Encoders.row(out));
    }

    /** The zip travels to each executor once per model, not with every task (transform is lazy: kept while the model lives). */
    private synchronized Broadcast<byte[]> broadcast(SparkSession spark) {
        if (broadcast == null) {
            broadcast = JavaSparkContext.fromSparkContext(spark.sparkContext()).broadcast(modelZip);
        }
        return broadcast;
    }

    @Override
    public BraggClassificationModel copy(ParamMap extra) {
        BraggClassificationModel m = new BraggClassificationModel(uid, modelZip, shape, labelNames);
        copyValues(m, extra);
        return m.setParent(parent());
    }

    @Override
    public MLWriter write() {
        return new Writer(this);
    }

    public static MLReader<BraggClassificationModel> read() {
        return new Reader();
    }

    public static BraggClassificationModel load(String path) {
        return read().load(path);
    }

    private static final class Writer extends MLWriter {
        private final BraggClassificationModel model;

        Writer(BraggClassificationModel model) {
            this.model = model;
        }

        @Override
        public void saveImpl(String path) {
            ObjectNode bragg = new ObjectMapper().createObjectNode();
            model.shape().forEach(bragg.putArray("pattern_shape")::add);
            model.labelNames.forEach(bragg.putArray("label_names")::add);
            ParamsFile.write(model, path, sparkSession(), bragg);
            Path zip = new Path(path, ZIP);
            try (OutputStream out = zip.getFileSystem(sc().hadoopConfiguration()).create(zip, false)) {
                out.write(model.modelZip);
            } catch (IOException e) {
                throw new UncheckedIOException(zip + ": cannot write: " + e.getMessage(), e);
            }
        }
    }

    private List<Integer> shape() {
        return Arrays.stream(shape).boxed().toList();
    }

    private static final class Reader extends MLReader<BraggClassificationModel> {
        @Override
        public BraggClassificationModel load(String path) {
            ParamsFile.Saved saved = ParamsFile.read(path, sparkSession(), BraggClassificationModel.class);
            JsonNode b = saved.bragg();
            if (!b.path("pattern_shape").isArray() || !b.path("label_names").isArray()) {
                throw new IllegalArgumentException(path + ": metadata lacks bragg.pattern_shape or bragg.label_names "
                        + "(not saved by BraggClassificationModel)");
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
            BraggClassificationModel m = new BraggClassificationModel(saved.uid(), bytes, shape, names);
            ParamsFile.apply(m, saved);
            return m;
        }
    }
}
