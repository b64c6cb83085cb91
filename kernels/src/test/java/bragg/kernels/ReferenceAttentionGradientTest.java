package bragg.kernels;

import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

import java.util.List;
import java.util.SplittableRandom;

/**
 * The reference's analytic backward against central finite differences of its own forward, in
 * double: loss = sum(out * W) for a random W, so dLoss/dOut = W. Error norm as in
 * {@link AttentionCheck}: max|analytic - numeric| / max(1e-6, max|numeric|), per tensor.
 */
class ReferenceAttentionGradientTest {
    private static final long SEED = TestSeed.SEED;
    private static final double H = 1e-6;

    static List<AttentionShape> shapes() {
        return List.of(
                AttentionShape.builder().batch(1).heads(1).queryLength(3).keyLength(4).headDim(2).build(),
                AttentionShape.builder().batch(2).heads(2).queryLength(5).keyLength(5).headDim(3).causal(true)
                        .keyLengths(new int[] {4, 0}).build(),
                AttentionShape.builder().batch(1).heads(1).queryLength(1).keyLength(6).headDim(4).scale(0.7f)
                        .keyLengths(new int[] {5}).build());
    }

    @ParameterizedTest
    @MethodSource("shapes")
    void backwardMatchesFiniteDifferences(AttentionShape s) {
        long seed = SEED ^ s.hashCode();
        SplittableRandom r = new SplittableRandom(seed);
        double[] q = random(r, s.queryElements()), k = random(r, s.keyElements()), v = random(r, s.keyElements());
        double[] w = random(r, s.queryElements()); // dLoss/dOut
        ReferenceAttention ref = new ReferenceAttention();
        double[] dq = new double[q.length], dk = new double[k.length], dv = new double[v.length];
        ref.backward(s, q, k, v, w, dq, dk, dv);
        String where = s + " seed=" + seed;
        compare("dq", dq, numeric(ref, s, q, k, v, w, q), where);
        compare("dk", dk, numeric(ref, s, q, k, v, w, k), where);
        compare("dv", dv, numeric(ref, s, q, k, v, w, v), where);
    }

    /** Central differences of loss with respect to every element of x (one of q, k, v). */
    private static double[] numeric(ReferenceAttention ref, AttentionShape s, double[] q, double[] k, double[] v,
                                    double[] w, double[] x) {
        double[] g = new double[x.length];
        for (int i = 0; i < x.length; i++) {
            double keep = x[i];
            x[i] = keep + H;
            double plus = loss(ref, s, q, k, v, w);
            x[i] = keep - H;
            double minus = loss(ref, s, q, k, v, w);
            x[i] = keep;
            g[i] = (plus - minus) / (2 * H);
        }
        return g;
    }

    private static double loss(ReferenceAttention ref, AttentionShape s, double[] q, double[] k, double[] v,
                               double[] w) {
        double[] out = new double[s.queryElements()], lse = new double[s.rows()];
        ref.forward(s, q, k, v, out, lse);
        double sum = 0;
        for (int i = 0; i < out.length; i++) {
            sum += out[i] * w[i];
        }
        return sum;
    }

    private static void compare(String name, double[] analytic, double[] numeric, String where) {
        double maxRef = 0, maxDiff = 0;
        for (int i = 0; i < analytic.length; i++) {
            assertTrue(Double.isFinite(analytic[i]), name + "[" + i + "] = " + analytic[i] + "; " + where);
            maxRef = Math.max(maxRef, Math.abs(numeric[i]));
            maxDiff = Math.max(maxDiff, Math.abs(analytic[i] - numeric[i]));
        }
        double rel = maxDiff / Math.max(1e-6, maxRef);
        assertTrue(rel < 1e-6, name + ": relative error " + rel + " vs finite differences; " + where);
    }

    private static double[] random(SplittableRandom r, int n) {
        double[] a = new double[n];
        for (int i = 0; i < n; i++) {
            a[i] = r.nextDouble(-1.5, 1.5);
        }
        return a;
    }
}
