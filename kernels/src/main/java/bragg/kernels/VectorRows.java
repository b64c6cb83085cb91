package bragg.kernels;

import java.nio.ByteBuffer;
import java.nio.FloatBuffer;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorMask;
import jdk.incubator.vector.VectorOperators;
import jdk.incubator.vector.VectorSpecies;

/**
 * {@link RowKernels} on the Vector API: whole vectors along each row, then a scalar tail. Each row
 * is copied into a small heap array first (one bulk copy, which stays in L1) because JDK 17's
 * vector loads from byte buffers fall back to a slow path where C2 does not inline them; vector
 * code on arrays compiles to plain SIMD. tanh for GELU is (1 - e) / (1 + e) with
 * e = exp(-2|z|) from {@link VectorSoftmaxRows#exp} (its argument is never positive, the domain
 * FastExp is accurate on), the sign put back after. Loaded only with jdk.incubator.vector.
 */
final class VectorRows {
    private static final VectorSpecies<Float> F = FloatVector.SPECIES_PREFERRED;
    private static final int L = F.length();
    private static final float C = (float) ScalarRows.GELU_C;
    private static final float CA = (float) (ScalarRows.GELU_C * ScalarRows.GELU_A);
    private static final float A3 = (float) (3 * ScalarRows.GELU_A);
    private static final ThreadLocal<float[][]> ROWS = ThreadLocal.withInitial(() -> new float[3][0]);

    private VectorRows() {
    }

    /** Three row buffers of at least {@code width} floats, owned by the calling thread. */
    private static float[][] rows(int width) {
        float[][] r = ROWS.get();
        if (r[0].length < width) {
            for (int i = 0; i < r.length; i++) {
                r[i] = new float[width];
            }
        }
        return r;
    }

    private static FloatBuffer fb(ByteBuffer b) {
        return b.asFloatBuffer();
    }

    static void layerNorm(ByteBuffer xb, int xo, ByteBuffer yb, int yo, float[] gamma, float[] beta,
                          float[] mean, float[] rstd, int r0, int r1, int d, float eps) {
        FloatBuffer xs = fb(xb), ys = fb(yb);
        float[] x = rows(d)[0];
        int vd = d - d % L;
        for (int r = r0; r < r1; r++) {
            xs.get(xo + r * d, x, 0, d);
            FloatVector acc = FloatVector.zero(F);
            for (int j = 0; j < vd; j += L) {
                acc = acc.add(FloatVector.fromArray(F, x, j));
            }
            float s = acc.reduceLanes(VectorOperators.ADD);
            for (int j = vd; j < d; j++) {
                s += x[j];
            }
            float m = s / d;
            FloatVector sq = FloatVector.zero(F);
            for (int j = 0; j < vd; j += L) {
                FloatVector c = FloatVector.fromArray(F, x, j).sub(m);
                sq = c.fma(c, sq);
            }
            float v = sq.reduceLanes(VectorOperators.ADD);
            for (int j = vd; j < d; j++) {
                v += (x[j] - m) * (x[j] - m);
            }
            float rs = (float) (1.0 / Math.sqrt(v / d + eps));
            mean[r] = m;
            rstd[r] = rs;
            for (int j = 0; j < vd; j += L) {
                FloatVector.fromArray(F, x, j).sub(m).mul(rs)
                        .fma(FloatVector.fromArray(F, gamma, j), FloatVector.fromArray(F, beta, j)).intoArray(x, j);
            }
            for (int j = vd; j < d; j++) {
                x[j] = (x[j] - m) * rs * gamma[j] + beta[j];
            }
            ys.put(yo + r * d, x, 0, d);
        }
    }

    static void layerNormBackward(ByteBuffer xb, int xo, float[] mean, float[] rstd, float[] gamma,
                                  ByteBuffer dyb, int dyo, ByteBuffer dxb, int dxo, ByteBuffer resb, int ro,
                                  float[] dgamma, float[] dbeta, int r0, int r1, int d) {
        FloatBuffer xs = fb(xb), gs = fb(dyb), ds = fb(dxb), rsb = resb == null ? null : fb(resb);
        float[][] buf = rows(d);
        float[] x = buf[0], g = buf[1], res = buf[2];
        int vd = d - d % L;
        for (int r = r0; r < r1; r++) {
            xs.get(xo + r * d, x, 0, d);
            gs.get(dyo + r * d, g, 0, d);
            float m = mean[r], rs = rstd[r];
            FloatVector a1 = FloatVector.zero(F), a2 = FloatVector.zero(F);
            for (int j = 0; j < vd; j += L) {
                FloatVector xhat = FloatVector.fromArray(F, x, j).sub(m).mul(rs);
                FloatVector gv = FloatVector.fromArray(F, g, j);
                gv.fma(xhat, FloatVector.fromArray(F, dgamma, j)).intoArray(dgamma, j);
                gv.add(FloatVector.fromArray(F, dbeta, j)).intoArray(dbeta, j);
                FloatVector gg = gv.mul(FloatVector.fromArray(F, gamma, j));
                a1 = a1.add(gg);
                a2 = gg.fma(xhat, a2);
                xhat.intoArray(x, j);
            }
            float s1 = a1.reduceLanes(VectorOperators.ADD), s2 = a2.reduceLanes(VectorOperators.ADD);
            for (int j = vd; j < d; j++) {
                float xhat = (x[j] - m) * rs;
                dgamma[j] += g[j] * xhat;
                dbeta[j] += g[j];
                s1 += g[j] * gamma[j];
                s2 += g[j] * gamma[j] * xhat;
                x[j] = xhat;
            }
            float m1 = s1 / d, m2 = s2 / d;
            if (rsb != null) {
                rsb.get(ro + r * d, res, 0, d);
            }
            for (int j = 0; j < vd; j += L) {
                FloatVector v = FloatVector.fromArray(F, g, j).mul(FloatVector.fromArray(F, gamma, j)).sub(m1)
                        .sub(FloatVector.fromArray(F, x, j).mul(m2)).mul(rs);
                (rsb == null ? v : v.add(FloatVector.fromArray(F, res, j))).intoArray(g, j);
            }
            for (int j = vd; j < d; j++) {
                float v = rs * (g[j] * gamma[j] - m1 - x[j] * m2);
                g[j] = rsb == null ? v : v + res[j];
            }
            ds.put(dxo + r * d, g, 0, d);
        }
    }

    static void biasResidual(ByteBuffer yb, int yo, float[] bias, ByteBuffer resb, int ro, ByteBuffer outb, int oo,
                             int r0, int r1, int d) {
        FloatBuffer ys = fb(yb), os = fb(outb), rsb = resb == null ? null : fb(resb);
        float[][] buf = rows(d);
        float[] y = buf[0], res = buf[1];
        int vd = d - d % L;
        for (int r = r0; r < r1; r++) {
            ys.get(yo + r * d, y, 0, d);
            if (rsb != null) {
                rsb.get(ro + r * d, res, 0, d);
            }
            for (int j = 0; j < vd; j += L) {
                FloatVector v = FloatVector.fromArray(F, y, j).add(FloatVector.fromArray(F, bias, j));
                (rsb == null ? v : v.add(FloatVector.fromArray(F, res, j))).intoArray(y, j);
            }
            for (int j = vd; j < d; j++) {
                y[j] = y[j] + bias[j] + (rsb == null ? 0f : res[j]);
            }
            os.put(oo + r * d, y, 0, d);
        }
    }

    /** tanh(z) on every lane, z = c (v + a v^3). */
    private static FloatVector tanhArg(FloatVector v) {
        FloatVector z = v.mul(v).fma(CA, C).mul(v);
        FloatVector e = VectorSoftmaxRows.exp(z.abs().mul(-2f));
        FloatVector t = e.neg().add(1f).div(e.add(1f));
        VectorMask<Float> neg = z.lt(0f);
        return t.blend(t.neg(), neg);
    }

    static void biasGelu(ByteBuffer ub, int uo, float[] bias, ByteBuffer ab, int ao, int r0, int r1, int f) {
        FloatBuffer us = fb(ub), as = fb(ab);
        float[][] buf = rows(f);
        float[] u = buf[0], a = buf[1];
        int vf = f - f % L;
        for (int r = r0; r < r1; r++) {
            us.get(uo + r * f, u, 0, f);
            for (int j = 0; j < vf; j += L) {
                FloatVector v = FloatVector.fromArray(F, u, j).add(FloatVector.fromArray(F, bias, j));
                v.intoArray(u, j);
                v.mul(0.5f).mul(tanhArg(v).add(1f)).intoArray(a, j);
            }
            for (int j = vf; j < f; j++) {
                float v = u[j] + bias[j];
                u[j] = v;
                a[j] = (float) (0.5 * v * (1 + Math.tanh(ScalarRows.GELU_C * (v + ScalarRows.GELU_A * v * v * v))));
            }
            us.put(uo + r * f, u, 0, f);
            as.put(ao + r * f, a, 0, f);
        }
    }

    static void geluBackward(ByteBuffer ub, int uo, ByteBuffer dab, int dao, int r0, int r1, int f) {
        FloatBuffer us = fb(ub), ds = fb(dab);
        float[][] buf = rows(f);
        float[] u = buf[0], da = buf[1];
        int vf = f - f % L;
        for (int r = r0; r < r1; r++) {
            us.get(uo + r * f, u, 0, f);
            ds.get(dao + r * f, da, 0, f);
            for (int j = 0; j < vf; j += L) {
                FloatVector v = FloatVector.fromArray(F, u, j);
                FloatVector t = tanhArg(v);
                FloatVector sech2 = t.mul(t).neg().add(1f);
                FloatVector inner = v.mul(v).fma(A3, 1f).mul(v).mul(0.5f * C);         // 0.5 c v (1 + 3a v^2)
                FloatVector g = sech2.fma(inner, t.add(1f).mul(0.5f));
                FloatVector.fromArray(F, da, j).mul(g).intoArray(da, j);
            }
            for (int j = vf; j < f; j++) {
                double v = u[j], t = Math.tanh(ScalarRows.GELU_C * (v + ScalarRows.GELU_A * v * v * v));
                da[j] *= (float) (0.5 * (1 + t) + 0.5 * v * (1 - t * t) * ScalarRows.GELU_C * (1 + 3 * ScalarRows.GELU_A * v * v));
            }
            ds.put(dao + r * f, da, 0, f);
        }
    }

    static void columnSums(ByteBuffer xb, int xo, float[] s, int r0, int r1, int d) {
        FloatBuffer xs = fb(xb);
        float[] x = rows(d)[0];
        int vd = d - d % L;
        for (int r = r0; r < r1; r++) {
            xs.get(xo + r * d, x, 0, d);
            for (int j = 0; j < vd; j += L) {
                FloatVector.fromArray(F, x, j).add(FloatVector.fromArray(F, s, j)).intoArray(s, j);
            }
            for (int j = vd; j < d; j++) {
                s[j] += x[j];
            }
        }
    }
}
