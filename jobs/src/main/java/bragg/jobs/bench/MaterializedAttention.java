package bragg.jobs.bench;

import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.ops.transforms.Transforms;

/**
 * Attention the way a framework without a fused kernel computes it, with ND4J: the Lq x Lk score
 * matrix materialized, softmax, matmul, and the hand-written backward. The baseline that
 * {@code bench attention} compares the flash kernels with. One (b, h) slice at a time.
 * <pre>
 *   forward   S = scale Q K^T   P = softmax_rows(S)   O = P V          (P kept for the backward)
 *   backward  dV = P^T dO   dP = dO V^T   D = rowsum(dO * O)   dS = P * (dP - D)
 *             dQ = scale dS K   dK = scale dS^T Q
 * </pre>
 * Peak: two Lq x Lk float matrices alive at once (P and dP, which becomes dS in place).
 */
final class MaterializedAttention {
    private MaterializedAttention() {
    }

    /** P [L, L] (kept for the backward) and O [L, Dh]. */
    static INDArray[] forward(INDArray q, INDArray k, INDArray v, double scale) {
        INDArray s = Nd4j.gemm(q, k, false, true).muli(scale);   // [Lq, Lk]
        s.subiColumnVector(s.max(true, 1));
        Transforms.exp(s, false);
        s.diviColumnVector(s.sum(true, 1));                     // now P
        INDArray o = Nd4j.gemm(s, v, false, false);              // [Lq, Dh]
        return new INDArray[] {s, o};
    }

    /** dQ [Lq, Dh], dK [Lk, Dh], dV [Lk, Dh]. */
    static INDArray[] backward(INDArray q, INDArray k, INDArray v, INDArray p, INDArray o, INDArray dO,
                               double scale) {
        INDArray dv = Nd4j.gemm(p, dO, true, false);             // [Lk, Dh]
        INDArray dp = Nd4j.gemm(dO, v, false, true);             // [Lq, Lk]
        INDArray d = dO.mul(o).sum(true, 1);                     // [Lq, 1]
        dp.subiColumnVector(d).muli(p);                          // now dS
        INDArray dq = Nd4j.gemm(dp, k, false, false).muli(scale);
        INDArray dk = Nd4j.gemm(dp, q, true, false).muli(scale);
        return new INDArray[] {dq, dk, dv};
    }

    /** Random [L, Dh] float matrix. */
    static INDArray random(int rows, int cols) {
        return Nd4j.randn(DataType.FLOAT, rows, cols);
    }
}
