package bragg.worker.model.layers;

import org.deeplearning4j.nn.api.ParamInitializer;
import org.deeplearning4j.nn.conf.NeuralNetConfiguration;
import org.deeplearning4j.nn.conf.layers.Layer;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.indexing.NDArrayIndex;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * DL4J's ParamInitializer for every bragg layer: slices the layer's flat parameter (and gradient)
 * view into the arrays its {@link BraggLayerConf#paramSpecs()} name, so parameters and gradients
 * stay views of DL4J's one flat buffer (the one the all-reduce sends).
 */
public final class SpecParamInitializer implements ParamInitializer {
    public static final SpecParamInitializer INSTANCE = new SpecParamInitializer();

    private SpecParamInitializer() {
    }

    private static List<ParamSpec> specs(Layer layer) {
        return ((BraggLayerConf) layer).paramSpecs();
    }

    @Override
    public long numParams(NeuralNetConfiguration conf) {
        return numParams(conf.getLayer());
    }

    @Override
    public long numParams(Layer layer) {
        long n = 0;
        for (ParamSpec s : specs(layer)) {
            n += s.length();
        }
        return n;
    }

    @Override
    public List<String> paramKeys(Layer layer) {
        List<String> keys = new ArrayList<>();
        for (ParamSpec s : specs(layer)) {
            keys.add(s.name());
        }
        return keys;
    }

    @Override
    public List<String> weightKeys(Layer layer) {
        List<String> keys = new ArrayList<>();
        for (ParamSpec s : specs(layer)) {
            if (!s.bias()) {
                keys.add(s.name());
            }
        }
        return keys;
    }

    @Override
    public List<String> biasKeys(Layer layer) {
        List<String> keys = new ArrayList<>();
        for (ParamSpec s : specs(layer)) {
            if (s.bias()) {
                keys.add(s.name());
            }
        }
        return keys;
    }

    @Override
    public boolean isWeightParam(Layer layer, String key) {
        return weightKeys(layer).contains(key);
    }

    @Override
    public boolean isBiasParam(Layer layer, String key) {
        return biasKeys(layer).contains(key);
    }

    @Override
    public Map<String, INDArray> init(NeuralNetConfiguration conf, INDArray paramsView, boolean initializeParams) {
        Map<String, INDArray> views = slice(conf.getLayer(), paramsView);
        if (initializeParams) {
            for (ParamSpec s : specs(conf.getLayer())) {
                INDArray v = views.get(s.name());
                switch (s.init()) {
                    case ZEROS -> v.assign(0);
                    case ONES -> v.assign(1);
                    case SMALL_NORMAL -> v.assign(Nd4j.randn(v.dataType(), s.shape()).muli(0.02));
                    case XAVIER -> v.assign(Nd4j.randn(v.dataType(), s.shape())
                            .muli(Math.sqrt(2.0 / (s.fanIn() + s.fanOut()))));
                }
            }
        }
        return views;
    }

    @Override
    public Map<String, INDArray> getGradientsFromFlattened(NeuralNetConfiguration conf, INDArray gradientView) {
        return slice(conf.getLayer(), gradientView);
    }

    /** Consecutive 'c'-order views of {@code flat} ([1, N] or [N]) named by the specs. */
    static Map<String, INDArray> slice(Layer layer, INDArray flat) {
        Map<String, INDArray> out = new LinkedHashMap<>();
        if (flat == null) { // DL4J hands no view to a layer without parameters
            if (!specs(layer).isEmpty()) {
                throw new IllegalStateException(layer.getLayerName() + ": no flat view for parameters " + specs(layer));
            }
            return out;
        }
        long offset = 0;
        long total = flat.length();
        for (ParamSpec s : specs(layer)) {
            long n = s.length();
            if (offset + n > total) {
                throw new IllegalStateException(layer.getLayerName() + ": flat view has " + total
                        + " elements, fewer than its parameters need (" + specs(layer) + ")");
            }
            INDArray part = flat.rank() == 1
                    ? flat.get(NDArrayIndex.interval(offset, offset + n))
                    : flat.get(NDArrayIndex.point(0), NDArrayIndex.interval(offset, offset + n));
            out.put(s.name(), part.reshape('c', s.shape()));
            offset += n;
        }
        return out;
    }
}
