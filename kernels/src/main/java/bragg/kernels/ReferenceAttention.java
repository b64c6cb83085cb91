package bragg.kernels;

/**
 * The plain reference every fast kernel is checked against: double precision, the full
 * Lq x Lk score matrix of one (batch, head) materialized, textbook softmax. Slow and
 * memory-hungry by design; for tests, gradient checks and the double-precision path of
 * the model layers, never for training at scale.
 *
 * <p>Per (b, h), with S, P of shape [Lq, Lk]:
 * <pre>
 *   S = scale * Q K^T, masked entries = -inf     P = softmax_rows(S)   (fully masked row: P = 0)
 *   O = P V                                       lse_i = log sum_j exp(S_ij)
 *   dV = P^T dO    dP = dO V^T    dS = P * (dP - rowsum(dO * O))
 *   dQ = scale * dS K               dK = scale * dS^T Q
 * </pre>
 */
public final class ReferenceAttention implements AttentionKernel {

    @Override
    public String backend() {
        return "reference (double, materialized)";
    }

    /** Whether key j is visible to query i of batch item b. */
    static boolean visible(AttentionShape s, int b, int i, int j) {
        return j < s.validKeys(b) && (!s.causal || j <= i);
    }

    /** Row-wise softmax probabilities P [Lq, Lk] of one (b, h); fills lse [Lq] at lseOffset when lse != null. */
    private static double[] probabilities(AttentionShape s, int b, double[] q, int qOff, double[] k, int kOff,
                                          double[] lse, int lseOffset) {
        int lq = s.queryLength, lk = s.keyLength, dh = s.headDim;
        double[] p = new double[lq * lk];
        for (int i = 0; i < lq; i++) {
            double max = Double.NEGATIVE_INFINITY;
            for (int j = 0; j < lk; j++) {
                double score = Double.NEGATIVE_INFINITY;
                if (visible(s, b, i, j)) {
                    double dot = 0;
                    for (int d = 0; d < dh; d++) {
                        dot += q[qOff + i * dh + d] * k[kOff + j * dh + d];
                    }
                    score = s.scale * dot;
                }
                p[i * lk + j] = score;
                max = Math.max(max, score);
            }
            if (max == Double.NEGATIVE_INFINITY) { // fully masked row: P = 0, lse = -inf
                for (int j = 0; j < lk; j++) {
                    p[i * lk + j] = 0;
                }
                if (lse != null) {
                    lse[lseOffset + i] = Double.NEGATIVE_INFINITY;
                }
                continue;
            }
            double sum = 0;
            for (int j = 0; j < lk; j++) {
                double e = Math.exp(p[i * lk + j] - max);
                p[i * lk + j] = e;
                sum += e;
            }
            for (int j = 0; j < lk; j++) {
                p[i * lk + j] /= sum;
            }
            if (lse != null) {
                lse[lseOffset + i] = max + Math.log(sum);
            }
        }
        return p;
    }

    /** Forward in double; same layouts as {@link AttentionKernel#forward}. */
    public void forward(AttentionShape s, double[] q, double[] k, double[] v, double[] out, double[] lse) {
        int lq = s.queryLength, lk = s.keyLength, dh = s.headDim;
        for (int b = 0; b < s.batch; b++) {
            for (int h = 0; h < s.heads; h++) {
                int bh = b * s.heads + h;
                int qOff = bh * lq * dh, kOff = bh * lk * dh;
                double[] p = probabilities(s, b, q, qOff, k, kOff, lse, bh * lq);
                for (int i = 0; i < lq; i++) {
                    for (int d = 0; d < dh; d++) {
                        double acc = 0;
                        for (int j = 0; j < lk; j++) {
                            acc += p[i * lk + j] * v[kOff + j * dh + d];
                        }
                        out[qOff + i * dh + d] = acc;
                    }
                }
            }
        }
    }

    /** Backward in double; recomputes P from q and k (out and lse are not needed). */
    public void backward(AttentionShape s, double[] q, double[] k, double[] v, double[] dOut,
                         double[] dq, double[] dk, double[] dv) {
        int lq = s.queryLength, lk = s.keyLength, dh = s.headDim;
        for (int b = 0; b < s.batch; b++) {
            for (int h = 0; h < s.heads; h++) {
                int bh = b * s.heads + h;
                int qOff = bh * lq * dh, kOff = bh * lk * dh;
                double[] p = probabilities(s, b, q, qOff, k, kOff, null, 0);
                // dV = P^T dO
                for (int j = 0; j < lk; j++) {
                    for (int d = 0; d < dh; d++) {
                        double acc = 0;
                        for (int i = 0; i < lq; i++) {
                            acc += p[i * lk + j] * dOut[qOff + i * dh + d];
                        }
                        dv[kOff + j * dh + d] = acc;
                    }
                }
                // dS = P * (dP - rowsum(P * dP)), dP = dO V^T
                double[] ds = new double[lq * lk];
                for (int i = 0; i < lq; i++) {
                    double rowDot = 0;
                    for (int j = 0; j < lk; j++) {
                        double dp = 0;
                        for (int d = 0; d < dh; d++) {
                            dp += dOut[qOff + i * dh + d] * v[kOff + j * dh + d];
                        }
                        ds[i * lk + j] = dp;
                        rowDot += p[i * lk + j] * dp;
                    }
                    for (int j = 0; j < lk; j++) {
                        ds[i * lk + j] = p[i * lk + j] * (ds[i * lk + j] - rowDot);
                    }
                }
                // dQ = scale * dS K ; dK = scale * dS^T Q
                for (int i = 0; i < lq; i++) {
                    for (int d = 0; d < dh; d++) {
                        double acc = 0;
                        for (int j = 0; j < lk; j++) {
                            acc += ds[i * lk + j] * k[kOff + j * dh + d];
                        }
                        dq[qOff + i * dh + d] = s.scale * acc;
                    }
                }
                for (int j = 0; j < lk; j++) {
                    for (int d = 0; d < dh; d++) {
                        double acc = 0;
                        for (int i = 0; i < lq; i++) {
                            acc += ds[i * lk + j] * q[qOff + i * dh + d];
                        }
                        dk[kOff + j * dh + d] = s.scale * acc;
                    }
                }
            }
        }
    }

    @Override
    public void forward(AttentionShape s, float[] q, float[] k, float[] v, float[] out, float[] lse) {
        AttentionKernel.checkForward(s, q, k, v, out, lse);
        double[] o = new double[out.length];
        double[] l = new double[lse.length];
        forward(s, toDouble(q), toDouble(k), toDouble(v), o, l);
        copyInto(o, out);
        copyInto(l, lse);
    }

    @Override
    public void backward(AttentionShape s, float[] q, float[] k, float[] v, float[] out, float[] lse, float[] dOut,
                         float[] dq, float[] dk, float[] dv) {
        AttentionKernel.checkBackward(s, q, k, v, out, lse, dOut, dq, dk, dv);
        double[] gq = new double[dq.length], gk = new double[dk.length], gv = new double[dv.length];
        backward(s, toDouble(q), toDouble(k), toDouble(v), toDouble(dOut), gq, gk, gv);
        copyInto(gq, dq);
        copyInto(gk, dk);
        copyInto(gv, dv);
    }

    @Override
    public void close() {
        // nothing held
    }

    public static double[] toDouble(float[] a) {
        double[] r = new double[a.length];
        for (int i = 0; i < a.length; i++) {
            r[i] = a[i];
        }
        return r;
    }

    private static void copyInto(double[] from, float[] to) {
        for (int i = 0; i < from.length; i++) {
            to[i] = (float) from[i];
        }
    }
}
