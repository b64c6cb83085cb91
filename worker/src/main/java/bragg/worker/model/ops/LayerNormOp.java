package bragg.worker.model.ops;

import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.ops.transforms.Transforms;

/**
 * Layer normalization over the feature axis of rows (the transformer's LN, not DL4J's batch norm).
 * <pre>
 *   forward:  mean, var over D of each row; xhat = (x - mean) * rstd, rstd = 1/sqrt(var + eps)
 *             y = xhat * gamma + beta
 *   backward: dgamma = sum_rows dy*xhat   dbeta = sum_rows dy   g = dy*gamma
 *             dx = rstd * (g - mean_D(g) - xhat * mean_D(g*xhat))
 * </pre>
 */
public final class LayerNormOp {
    public static final double EPS = 1e-5;

    /** What backward needs from forward. */
    public static final class Cache {
        INDArray xhat; // [N, D]
        INDArray rstd; // [N, 1]
    }

    private LayerNormOp() {
    }

    /**
     * @param x     [N, D]
     * @param gamma [D]
     * @param beta  [D]
     * @return y [N, D]
     */
    public static INDArray forward(INDArray x, INDArray gamma, INDArray beta, Cache cache) {
        long n = x.size(0);
        INDArray mean = x.mean(1).reshape(n, 1);                       // [N, 1]
        INDArray xc = x.subColumnVector(mean);                          // [N, D]
        INDArray var = xc.mul(xc).mean(1).reshape(n, 1);                // [N, 1]
        INDArray rstd = Transforms.pow(var.addi(EPS), -0.5, false);     // [N, 1]
        INDArray xhat = xc.muliColumnVector(rstd);                      // [N, D]
        cache.xhat = xhat;
        cache.rstd = rstd;
        return xhat.mulRowVector(gamma).addiRowVector(beta);
    }

    /** Writes dgamma [D] and dbeta [D]; returns dx [N, D]. */
    public static INDArray backward(Cache cache, INDArray gamma, INDArray dy, INDArray dgamma, INDArray dbeta) {
        INDArray xhat = cache.xhat;
        long n = xhat.size(0);
        dgamma.assign(dy.mul(xhat).sum(0));
        dbeta.assign(dy.sum(0));
        INDArray g = dy.mulRowVector(gamma);                            // [N, D]
        INDArray m1 = g.mean(1).reshape(n, 1);                          // [N, 1]
        INDArray m2 = g.mul(xhat).mean(1).reshape(n, 1);                // [N, 1]
        return g.subiColumnVector(m1).subi(xhat.mulColumnVector(m2)).muliColumnVector(cache.rstd);
    }
}
