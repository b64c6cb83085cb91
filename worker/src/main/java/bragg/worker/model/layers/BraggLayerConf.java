package bragg.worker.model.layers;

import org.deeplearning4j.nn.api.ParamInitializer;
import org.deeplearning4j.nn.conf.InputPreProcessor;
import org.deeplearning4j.nn.conf.NeuralNetConfiguration;
import org.deeplearning4j.nn.conf.inputs.InputType;
import org.deeplearning4j.nn.conf.layers.FeedForwardLayer;
import org.deeplearning4j.nn.conf.layers.Layer;
import org.deeplearning4j.nn.conf.memory.LayerMemoryReport;
import org.deeplearning4j.optimize.api.TrainingListener;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;

import java.util.Collection;
import java.util.List;
import java.util.Map;

/**
 * Base of the configuration half of every bragg layer (DL4J splits a layer into a serializable
 * configuration and an implementation). Subclasses hold plain fields, list their parameters as {@link ParamSpec}s, and check the input type the
 * graph hands them, naming the layer and the sizes in every error.
 *
 * <p>Fields are Jackson properties ({@code @JsonProperty}): DL4J writes the configuration JSON
 * into model zips and checkpoints, and its mapper sees only getters and annotated fields.
 *
 * <p>No input preprocessors: token layers take DL4J's recurrent layout [B, D, T] as is.
 */
public abstract class BraggLayerConf extends FeedForwardLayer {

    protected BraggLayerConf() {
        // for Jackson
    }

    protected BraggLayerConf(Builder<?> builder) {
        super(builder);
    }

    /** Parameters in flat-view order. */
    public abstract List<ParamSpec> paramSpecs();

    /** A new implementation for this configuration. */
    protected abstract BraggLayer<?> createLayer(NeuralNetConfiguration conf, DataType dataType);

    /** Checks the graph's input type for this layer; throws naming the layer and the sizes. */
    protected abstract void checkInputType(InputType in);

    /** "Kind 'name'", for error messages. */
    public String describe() {
        return getClass().getSimpleName() + " '" + (layerName == null ? "?" : layerName) + "'";
    }

    @Override
    public org.deeplearning4j.nn.api.Layer instantiate(NeuralNetConfiguration conf, Collection<TrainingListener> listeners,
                                                       int layerIndex, INDArray paramsView, boolean initializeParams,
                                                       DataType dataType) {
        BraggLayer<?> layer = createLayer(conf, dataType);
        layer.setListeners(listeners);
        layer.setIndex(layerIndex);
        if (paramsView != null) {
            layer.setParamsViewArray(paramsView);
        }
        Map<String, INDArray> params = initializer().init(conf, paramsView, initializeParams);
        layer.setParamTable(params);
        layer.setConf(conf);
        return layer;
    }

    @Override
    public ParamInitializer initializer() {
        return SpecParamInitializer.INSTANCE;
    }

    @Override
    public void setNIn(InputType inputType, boolean override) {
        checkInputType(inputType);
    }

    @Override
    public InputPreProcessor getPreProcessorForInputType(InputType inputType) {
        return null;
    }

    @Override
    public LayerMemoryReport getMemoryReport(InputType inputType) {
        long params = SpecParamInitializer.INSTANCE.numParams(this);
        return new LayerMemoryReport.Builder(layerName, getClass(), inputType, getOutputType(-1, inputType))
                .standardMemory(params, 0).workingMemory(0, 0, 0, 0).cacheMemory(0, 0).build();
    }

    /** The [D, T] of a recurrent input type, or an error naming this layer. */
    protected InputType.InputTypeRecurrent requireRecurrent(InputType in, long width) {
        if (!(in instanceof InputType.InputTypeRecurrent r)) {
            throw new IllegalArgumentException(describe() + ": expected tokens [B, D=" + width + ", T] (recurrent input), found "
                    + in);
        }
        if (width > 0 && r.getSize() != width) {
            throw new IllegalArgumentException(describe() + ": expected token width D = " + width + ", found D = "
                    + r.getSize() + " (" + in + ")");
        }
        return r;
    }

    /** Throws naming the layer unless value >= 1. */
    protected static void positive(String layer, String what, long value) {
        if (value < 1) {
            throw new IllegalArgumentException(layer + ": " + what + " must be >= 1; found " + value);
        }
    }

    /** Throws unless width is a positive multiple of heads and Dh fits the kernels. */
    protected static void checkHeads(String layer, long width, int heads) {
        positive(layer, "width D", width);
        positive(layer, "heads H", heads);
        if (width % heads != 0) {
            throw new IllegalArgumentException(layer + ": width D = " + width + " is not divisible by heads H = " + heads);
        }
        if (width / heads > bragg.kernels.AttentionShape.MAX_HEAD_DIM) {
            throw new IllegalArgumentException(layer + ": head width D/H = " + width / heads + " is above the kernels' maximum "
                    + bragg.kernels.AttentionShape.MAX_HEAD_DIM + "; use more heads");
        }
    }

    /** Base of the builders; {@code name(..)} is DL4J's and appears in every validation error. */
    public abstract static class Builder<T extends Builder<T>> extends FeedForwardLayer.Builder<T> {
        protected String label(String kind) {
            return kind + " '" + (layerName == null ? "?" : layerName) + "'";
        }

        @Override
        public abstract <E extends Layer> E build();
    }
}
