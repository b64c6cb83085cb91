package bragg.kernels;

import java.nio.ByteBuffer;

/**
 * {@link RowKernels} in plain scalar Java, with double accumulators where a row is reduced: the
 * reference the vector form is tested against, and what runs without jdk.incubator.vector.
 */
final class ScalarRows {
    static final double GELU_C = Math.sqrt(2.0 / Math.PI);
    static final double GELU_A = 0.044715;

    private ScalarRows() {
    }

    private static float get(ByteBuffer b, int i) {
        return b.getFloat(4 * i);
    }

    private static void put(ByteBuffer b, int i, float v) {
        b.putFloat(4 * i, v);
    }

    static void layerNorm(ByteBuffer x, int xo, ByteBuffer y, int yo, float[] gamma, float[] beta,
                          float[] mean, float[] rstd, int r0, int r1, int d, float eps) {
        for (int r = r0; r < r1; r++) {
            int xr = xo + r * d, yr = yo + r * d;
            double s = 0;
            for (int j = 0; j < d; j++) {
                s += get(x, xr + j);
            }
            double m = s / d, v = 0;
            for (int j = 0; j < d; j++) {
                double c = get(x, xr + j) - m;
                v += c * c;
            }
            float mf = (float) m, rs = (float) (1.0 / Math.sqrt(v / d + eps));
            mean[r] = mf;
            rstd[r] = rs;
            for (int j = 0; j < d; j++) {
                put(y, yr + j, (get(x, xr + j) - mf) * rs * gamma[j] + beta[j]);
            }
        }
    }

    static void layerNormBackward(ByteBuffer x, int xo, float[] mean, float[] rstd, float[] gamma,
                                  ByteBuffer dy, int dyo, ByteBuffer dx, int dxo, ByteBuffer res, int ro,
                                  float[] dgamma, float[] dbeta, int r0, int r1, int d) {
        for (int r = r0; r < r1; r++) {
            int xr = xo + r * d, gr = dyo + r * d, dr = dxo + r * d, rr = ro + r * d;
            float m = mean[r], rs = rstd[r];
            double s1 = 0, s2 = 0;
            for (int j = 0; j < d; j++) {
                float xhat = (get(x, xr + j) - m) * rs, g = get(dy, gr + j);
                dgamma[j] += g * xhat;
                dbeta[j] += g;
                s1 += g * gamma[j];
                s2 += g * gamma[j] * xhat;
            }
            float m1 = (float) (s1 / d), m2 = (float) (s2 / d);
            for (int j = 0; j < d; j++) {
                float xhat = (get(x, xr + j) - m) * rs;
                float v = rs * (get(dy, gr + j) * gamma[j] - m1 - xhat * m2);
                put(dx, dr + j, res == null ? v : v + get(res, rr + j));
            }
        }
    }

    static void biasResidual(ByteBuffer y, int yo, float[] bias, ByteBuffer res, int ro, ByteBuffer out, int oo,
                             int r0, int r1, int d) {
        for (int r = r0; r < r1; r++) {
            for (int j = 0; j < d; j++) {
                float v = get(y, yo + r * d + j) + bias[j];
                put(out, oo + r * d + j, res == null ? v : v + get(res, ro + r * d + j));
            }
        }
    }

    static void biasGelu(ByteBuffer u, int uo, float[] bias, ByteBuffer a, int ao, int r0, int r1, int f) {
        for (int r = r0; r < r1; r++) {
            for (int j = 0; j < f; j++) {
                float v = get(u, uo + r * f + j) + bias[j];
                put(u, uo + r * f + j, v);
                double t = Math.tanh(GELU_C * (v + GELU_A * v * v * v));
                put(a, ao + r * f + j, (float) (0.5 * v * (1 + t)));
            }
        }
    }

    static void geluBackward(ByteBuffer u, int uo, ByteBuffer da, int dao, int r0, int r1, int f) {
        for (int i = r0 * f; i < r1 * f; i++) {
            double v = get(u, uo + i);
            double t = Math.tanh(GELU_C * (v + GELU_A * v * v * v));
            double g = 0.5 * (1 + t) + 0.5 * v * (1 - t * t) * GELU_C * (1 + 3 * GELU_A * v * v);
            put(da, dao + i, (float) (get(da, dao + i) * g));
        }
    }

    static void columnSums(ByteBuffer x, int xo, float[] s, int r0, int r1, int d) {
        for (int j = 0; j < d; j++) {
            double acc = 0;
            for (int r = r0; r < r1; r++) {
                acc += get(x, xo + r * d + j);
            }
            s[j] += (float) acc;
        }
    }
}
