package bragg.worker.model.layers;

import java.util.List;

/** The parameter groups the transformer layers share, by prefix (names as the ops expect them). */
final class Specs {
    private Specs() {
    }

    /** gamma [D] (ones), beta [D] (zeros). */
    static List<ParamSpec> layerNorm(String prefix, long d) {
        return List.of(ParamSpec.ones(prefix + "gamma", d), ParamSpec.bias(prefix + "beta", d));
    }

    /** Wq, Wk, Wv, Wo [D, D] and their biases [D]. */
    static List<ParamSpec> attention(String prefix, long d) {
        return List.of(ParamSpec.weight(prefix + "Wq", d, d), ParamSpec.bias(prefix + "bq", d),
                ParamSpec.weight(prefix + "Wk", d, d), ParamSpec.bias(prefix + "bk", d),
                ParamSpec.weight(prefix + "Wv", d, d), ParamSpec.bias(prefix + "bv", d),
                ParamSpec.weight(prefix + "Wo", d, d), ParamSpec.bias(prefix + "bo", d));
    }

    /** W1 [D, F], b1 [F], W2 [F, D], b2 [D]. */
    static List<ParamSpec> mlp(String prefix, long d, long f) {
        return List.of(ParamSpec.weight(prefix + "W1", d, f), ParamSpec.bias(prefix + "b1", f),
                ParamSpec.weight(prefix + "W2", f, d), ParamSpec.bias(prefix + "b2", d));
    }
}
