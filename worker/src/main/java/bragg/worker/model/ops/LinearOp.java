package bragg.worker.model.ops;

import org.nd4j.linalg.api.ndarray.INDArray;

/** y = x W + b on rows; legend in {@link Tokens}. */
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
        return x.mmul(w).addiRowVector(b);
    }

    /**
     * Writes dW = x^T dy [I, O] and db = sum_rows dy [O]; returns dx = dy W^T [N, I].
     */
    public static INDArray backward(INDArray x, INDArray w, INDArray dy, INDArray dw, INDArray db) {
        dw.assign(x.transpose().mmul(dy));
        db.assign(dy.sum(0));
        return dy.mmul(w.transpose());
    }
}
