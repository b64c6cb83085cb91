package bragg.worker.model.ops;

import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/**
 * y = x W + b on rows; legend in {@link Tokens}. Float32 products go through {@link Gemm} (the
 * compute pool, as the fused layers); double ones, the reference of the gradient checks, through ND4J.
 */
public final class LinearOp {
    private LinearOp() {
    }

    /**
     * @param x [N, I] rows
     * @param w [I, O]
     * @param b [O]
     * @return y [N, O]
     */
    public static INDArray forward(INDArray x, INDArray w, INDArray b) {
        return product(x, false, w, false).addiRowVector(b);
    }

    /**
     * Writes dW = x^T dy [I, O] and db = sum_rows dy [O]; returns dx = dy W^T [N, I].
     */
    public static INDArray backward(INDArray x, INDArray w, INDArray dy, INDArray dw, INDArray db) {
        dw.assign(product(x, true, dy, false));
        db.assign(dy.sum(0));
        return product(dy, false, w, true);
    }

    /** op(a) op(b) in a new array of the current workspace, as mmul would allocate it. */
    private static INDArray product(INDArray a, boolean ta, INDArray b, boolean tb) {
        INDArray opA = ta ? a.transpose() : a, opB = tb ? b.transpose() : b;
        if (a.dataType() != DataType.FLOAT || b.dataType() != DataType.FLOAT) {
            return opA.mmul(opB);
        }
        INDArray c = Nd4j.createUninitialized(DataType.FLOAT, opA.size(0), opB.size(1));
        Gemm.gemm(Gemm.unitStrided(a), ta, Gemm.unitStrided(b), tb, c, 0f);
        return c;
    }
}
