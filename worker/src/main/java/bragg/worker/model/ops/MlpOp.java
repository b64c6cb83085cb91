package bragg.worker.model.ops;

import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * The transformer's position-wise MLP on rows: y = GELU(x W1 + b1) W2 + b2.
 * Parameter names (under the caller's prefix): W1 [D, F], b1 [F], W2 [F, D], b2 [D].
 */
public final class MlpOp {
    /** What backward needs from forward. */
    public static final class Cache {
        INDArray x; // [N, D]
        INDArray u; // [N, F] pre-activation
        INDArray a; // [N, F] GELU(u)
    }

    private MlpOp() {
    }

    /** x [N, D] to y [N, D]. */
    public static INDArray forward(INDArray x, Params p, Cache c) {
        c.x = x;
        c.u = LinearOp.forward(x, p.get("W1"), p.get("b1"));
        c.a = GeluOp.forward(c.u);
        return LinearOp.forward(c.a, p.get("W2"), p.get("b2"));
    }

    /** Writes the four gradients into g; returns dx [N, D]. */
    public static INDArray backward(Cache c, INDArray dy, Params p, Params g) {
        INDArray da = LinearOp.backward(c.a, p.get("W2"), dy, g.get("W2"), g.get("b2")); // [N, F]
        INDArray du = GeluOp.backward(c.u, da);                                          // [N, F]
        return LinearOp.backward(c.x, p.get("W1"), du, g.get("W1"), g.get("b1"));
    }
}
