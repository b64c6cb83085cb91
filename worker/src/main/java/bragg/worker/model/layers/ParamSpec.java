package bragg.worker.model.layers;

import java.util.Arrays;

/**
 * One parameter of a bragg layer: its name in DL4J's param table, its shape, and how it starts.
 * A layer's parameters are consecutive 'c'-order slices of DL4J's flat parameter view, in the
 * order of the layer's list of specs; gradients are the same slices of the flat gradient view.
 *
 * @param fanIn  fan-in for XAVIER (ignored otherwise)
 * @param fanOut fan-out for XAVIER (ignored otherwise)
 */
public record ParamSpec(String name, long[] shape, Init init, boolean bias, long fanIn, long fanOut) {

    /** How a parameter is initialized (from ND4J's global RNG, which DL4J seeds from the config's seed). */
    public enum Init {
        /** Gaussian with std sqrt(2 / (fanIn + fanOut)). */
        XAVIER,
        /** Gaussian with std 0.02 (learned position embeddings, class token). */
        SMALL_NORMAL,
        ZEROS,
        ONES
    }

    public static ParamSpec weight(String name, long fanIn, long fanOut) {
        return new ParamSpec(name, new long[]{fanIn, fanOut}, Init.XAVIER, false, fanIn, fanOut);
    }

    public static ParamSpec bias(String name, long size) {
        return new ParamSpec(name, new long[]{size}, Init.ZEROS, true, 0, 0);
    }

    public static ParamSpec ones(String name, long size) {
        return new ParamSpec(name, new long[]{size}, Init.ONES, false, 0, 0);
    }

    public static ParamSpec smallNormal(String name, long... shape) {
        return new ParamSpec(name, shape, Init.SMALL_NORMAL, false, 0, 0);
    }

    public long length() {
        long n = 1;
        for (long s : shape) {
            n = Math.multiplyExact(n, s);
        }
        return n;
    }

    @Override
    public String toString() {
        return name + Arrays.toString(shape);
    }
}
