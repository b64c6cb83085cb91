package bragg.jobs.bench;

import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * Child-JVM probe for {@code bench attention}'s max_L_materialized: runs one materialized
 * forward + backward at B=1, H=1, Dh=64 and the L given, inside the memory budget the parent
 * set (-Xmx and ND4J's -Dorg.bytedeco.javacpp.maxbytes). Exit 0 and "ok <seconds>" when it
 * completes; an allocation beyond the budget throws and exits non-zero.
 */
public final class MaterializedProbe {
    private MaterializedProbe() {
    }

    public static void main(String[] args) {
        int length = Integer.parseInt(args[0]);
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
        if (!Double.isFinite(check)) {
            System.out.println("failed: non-finite gradients");
            System.exit(3);
        }
        System.out.printf("ok %.2f%n", (System.nanoTime() - t0) / 1e9);
        System.exit(0);
    }
}
