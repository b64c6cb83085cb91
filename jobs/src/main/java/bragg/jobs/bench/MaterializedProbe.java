package bragg.jobs.bench;

import org.nd4j.linalg.api.ndarray.INDArray;


/**
 * Child-JVM probe for {@code bench attention}'s max_L_materialized: one materialized forward +
 * backward at B=1, H=1, Dh=64 and the L given, under {@link ResidentBudget} (args: L, budget
 * bytes). Prints "ok ..." and exits 0 when it completes; over the budget it is halted.
 */
public final class MaterializedProbe {
    private MaterializedProbe() {
    }

    public static void main(String[] args) {
        int length = Integer.parseInt(args[0]);
        ResidentBudget.enforce(Long.parseLong(args[1]));
        int dh = 64;
        long t0 = System.nanoTime();
        INDArray q = MaterializedAttention.random(length, dh);
        INDArray k = MaterializedAttention.random(length, dh);
        INDArray v = MaterializedAttention.random(length, dh);
        INDArray dO = MaterializedAttention.random(length, dh);
        double scale = 1 / Math.sqrt(dh);
        INDArray[] f = MaterializedAttention.forward(q, k, v, scale);
        INDArray[] g = MaterializedAttention.backward(q, k, v, f[0], f[1], dO, scale);
        double check = g[0].sumNumber().doubleValue() + g[1].sumNumber().doubleValue();
        ResidentBudget.exitWithOutcome(t0, check);
    }
}
