package bragg.worker.model.ops;

import org.nd4j.linalg.api.ndarray.INDArray;

import java.util.Map;

/**
 * A named group of a layer's parameter (or gradient) views, e.g. the "attn" arrays of a block.
 * Lookups of a missing name fail loudly: they mean a ParamSpec and its use disagree.
 */
public final class Params {
    private final Map<String, INDArray> views;
    private final String prefix;

    public Params(Map<String, INDArray> views, String prefix) {
        this.views = views;
        this.prefix = prefix;
    }

    public INDArray get(String name) {
        INDArray a = views.get(prefix + name);
        if (a == null) {
            throw new IllegalStateException("no parameter '" + prefix + name + "' among " + views.keySet());
        }
        return a;
    }
}
