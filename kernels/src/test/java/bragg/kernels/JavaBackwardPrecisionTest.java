package bragg.kernels;

import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

/**
 * The Java backward recomputes the forward's scores exactly, so rows whose scores share a large
 * offset (what a key bias gives: every score of a query shifted by q . c) keep dq as accurate as
 * a plain float32 implementation does. Before, it recomputed q . (k * scale) where the forward
 * had used (q * scale) . k; the recomputed probabilities then no longer summed to 1, and dq lost
 * about two orders of magnitude.
 */
class JavaBackwardPrecisionTest {

    @Test
    void dqStaysAsAccurateAsFloat32UnderLargeSharedScoreOffsets() {
        int b = 1, h = 2, l = 96, dh = 32;
        AttentionShape s = AttentionShape.builder().batch(b).heads(h).queryLength(l).keyLength(l).headDim(dh).build();
        long seed = TestSeed.SEED;
        SplittableRandom r = new SplittableRandom(seed);
        int n = b * h * l * dh;
        float[] q = new float[n], k = new float[n], v = new float[n], dOut = new float[n];
        float[] c = new float[dh];                       // the key bias shared by every key of a head
        for (int d = 0; d < dh; d++) {
            c[d] = (float) (r.nextGaussian() * 25);
        }
        for (int i = 0; i < n; i++) {
            q[i] = (float) r.nextGaussian();
            k[i] = (float) (r.nextGaussian() + c[i % dh]);
            v[i] = (float) r.nextGaussian();
            dOut[i] = (float) r.nextGaussian();
        }
        double[] dqRef = new double[n], dkRef = new double[n], dvRef = new double[n];
        new ReferenceAttention().backward(s, toDouble(q), toDouble(k), toDouble(v), toDouble(dOut), dqRef, dkRef, dvRef);

        JavaFlashAttention java = new JavaFlashAttention();
        float[] out = new float[n], lse = new float[s.rows()], dq = new float[n], dk = new float[n], dv = new float[n];
        java.forward(s, q, k, v, out, lse);
        java.backward(s, q, k, v, out, lse, dOut, dq, dk, dv);

        double javaErr = relativeError(dq, dqRef), f32Err = relativeError(float32Dq(s, q, k, v, dOut), dqRef);
        assertTrue(javaErr <= 2 * f32Err, "seed " + seed + ": dq relative error " + javaErr
                + " is more than twice a plain float32 implementation's " + f32Err);
    }

    /** Materialized attention's dq in float32, scores (q * scale) . k, softmax less the row max. */
    private static float[] float32Dq(AttentionShape s, float[] q, float[] k, float[] v, float[] dOut) {
        int l = s.queryLength, dh = s.headDim;
        float[] dq = new float[q.length];
        for (int bh = 0; bh < s.batch * s.heads; bh++) {
            int o = bh * l * dh;
            for (int i = 0; i < l; i++) {
                float[] p = new float[l], dp = new float[l];
                float max = Float.NEGATIVE_INFINITY;
                for (int j = 0; j < l; j++) {
                    float acc = 0;
                    for (int d = 0; d < dh; d++) {
                        acc += q[o + i * dh + d] * s.scale * k[o + j * dh + d];
                    }
                    p[j] = acc;
                    max = Math.max(max, acc);
                }
                float sum = 0;
                for (int j = 0; j < l; j++) {
                    p[j] = (float) Math.exp(p[j] - max);
                    sum += p[j];
                }
                float dsum = 0;
                for (int j = 0; j < l; j++) {
                    p[j] /= sum;
                    float acc = 0;
                    for (int d = 0; d < dh; d++) {
                        acc += dOut[o + i * dh + d] * v[o + j * dh + d];
                    }
                    dp[j] = acc;
                    dsum += p[j] * acc;
                }
                for (int j = 0; j < l; j++) {
                    float ds = p[j] * (dp[j] - dsum) * s.scale;
                    for (int d = 0; d < dh; d++) {
                        dq[o + i * dh + d] += ds * k[o + j * dh + d];
                    }
                }
            }
        }
        return dq;
    }

    private static double relativeError(float[] a, double[] ref) {
        double num = 0, den = 0;
        for (int i = 0; i < a.length; i++) {
            num += (a[i] - ref[i]) * (a[i] - ref[i]);
            den += ref[i] * ref[i];
        }
        return Math.sqrt(num / den);
    }

    private static double[] toDouble(float[] a) {
        double[] d = new double[a.length];
        for (int i = 0; i < a.length; i++) {
            d[i] = a[i];
        }
        return d;
    }
}
