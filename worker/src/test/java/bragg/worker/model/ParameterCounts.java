package bragg.worker.model;

/**
 * Parameter counts worked out by hand from the architectures in the model classes' javadoc, so
 * the tests compare the built graphs with the design, not with a constant copied from them.
 */
final class ParameterCounts {
    private ParameterCounts() {
    }

    /** Linear map {@code in -> out} with bias. */
    static long linear(long in, long out) {
        return in * out + out;
    }

    /** Layer norm of width d: gamma and beta. */
    static long layerNorm(long d) {
        return 2 * d;
    }

    /** Q, K, V and output projections of width d. */
    static long attention(long d) {
        return 4 * linear(d, d);
    }

    /** Two-layer MLP d -> f -> d. */
    static long mlp(long d, long f) {
        return linear(d, f) + linear(f, d);
    }

    /** Pre-LN self-attention block: ln1, attention, ln2, MLP. */
    static long selfBlock(long d, long f) {
        return layerNorm(d) + attention(d) + layerNorm(d) + mlp(d, f);
    }

    /** Cross-attention block: a layer norm each for queries and keys/values, attention, ln2, MLP. */
    static long crossBlock(long d, long f) {
        return 2 * layerNorm(d) + attention(d) + layerNorm(d) + mlp(d, f);
    }
}
