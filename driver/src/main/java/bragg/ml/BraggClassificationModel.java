package bragg.ml;

import java.util.List;
import org.apache.spark.ml.param.Param;
import org.apache.spark.ml.util.Identifiable$;
import org.apache.spark.ml.util.MLReader;

/**
 * A trained bragg classifier as a Spark ML Transformer: {@code transform} adds {@code prediction}
 * (the most probable class index, double) and {@code probability} (the class probabilities, a
 * Spark ML vector). Scoring, saving and loading: {@link BraggModel}.
 */
public final class BraggClassificationModel extends BraggModel<BraggClassificationModel> {
    private final Param<String> probabilityCol;

    BraggClassificationModel(String uid, byte[] modelZip, int[] shape, List<String> labelNames) {
        super(uid, modelZip, shape, labelNames, true, BraggClassificationModel::new, "class index (numeric)",
                "predicted class index (double)");
        probabilityCol = new Param<>(this, "probabilityCol", "class probabilities (vector), empty = not added");
        setDefault(probabilityCol, "probability");
    }

    /**
     * A classifier trained elsewhere as a Spark ML model, e.g. a {@code bragg train} run's model.zip
     * with its manifest's sample_shape and label_names: scoring it from Spark code needs no fit.
     *
     * @param patternShape [C, H, W] the model was trained on
     * @param labelNames   class k's name at index k, one per output of the model
     */
    public static BraggClassificationModel of(byte[] modelZip, int[] patternShape, List<String> labelNames) {
        checkZip(modelZip, patternShape, labelNames);
        return new BraggClassificationModel(Identifiable$.MODULE$.randomUID("braggClassificationModel"), modelZip.clone(),
                patternShape, labelNames);
    }

    public Param<String> probabilityCol() { return probabilityCol; }
    public BraggClassificationModel setProbabilityCol(String v) { set(probabilityCol, v); return this; }
    public String getProbabilityCol() { return $(probabilityCol); }

    /** Classes K of the model's head. */
    public int numClasses() {
        return outputNames().size();
    }

    /** The class names, index k = class k (the shards' label names, or "0".."K-1"). */
    public List<String> labelNames() {
        return outputNames();
    }

    @Override
    String probabilityColumn() {
        return getProbabilityCol();
    }

    public static MLReader<BraggClassificationModel> read() {
        return new Reader<>(BraggClassificationModel.class, BraggClassificationModel::new);
    }

    public static BraggClassificationModel load(String path) {
        return read().load(path);
    }
}
