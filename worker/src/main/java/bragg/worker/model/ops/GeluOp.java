package bragg.worker.model.ops;

import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.ops.transforms.Transforms;

/**
 * GELU, tanh approximation (GPT-2 / llm.c):
 * <pre>
 *   y  = 0.5 u (1 + t),  t = tanh(c (u + a u^3)),  c = sqrt(2/pi), a = 0.044715
 *   dy/du = 0.5 (1 + t) + 0.5 u (1 - t^2) c (1 + 3 a u^2)
 * </pre>
 */
public final class GeluOp {
    private static final double C = Math.sqrt(2.0 / Math.PI);
    private static final double A = 0.044715;

    private GeluOp() {
    }

    /** u [N, F] to y [N, F]; u is kept by the caller for backward. */
    public static INDArray forward(INDArray u) {
        INDArray t = tanhArg(u);
        return t.addi(1.0).muli(u).muli(0.5);
    }

    /** du [N, F] from u [N, F] and dy [N, F]. */
    public static INDArray backward(INDArray u, INDArray dy) {
        INDArray t = tanhArg(u);                                        // [N, F]
        INDArray u2 = u.mul(u);                                         // [N, F]
        INDArray inner = u2.muli(3 * A).addi(1.0).muli(u).muli(0.5 * C); // 0.5 c u (1 + 3a u^2)
        INDArray sech2 = t.mul(t).rsubi(1.0);                           // 1 - t^2
        INDArray grad = sech2.muli(inner).addi(t.addi(1.0).muli(0.5));
        return grad.muli(dy);
    }

    private static INDArray tanhArg(INDArray u) {
        INDArray z = u.mul(u).muli(A).addi(1.0).muli(u).muli(C);        // c (u + a u^3)
        return Transforms.tanh(z, false);
    }
}
