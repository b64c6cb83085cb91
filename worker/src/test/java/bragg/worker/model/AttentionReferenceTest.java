package bragg.worker.model;

import bragg.worker.model.layers.MultiHeadAttention;
import org.deeplearning4j.nn.api.Layer;
import org.deeplearning4j.nn.conf.inputs.InputType;
import org.deeplearning4j.nn.graph.ComputationGraph;
import org.junit.jupiter.api.Test;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;

import static bragg.worker.model.TestGraphs.chain;
import static bragg.worker.model.TestGraphs.lengths;
import static bragg.worker.model.TestGraphs.random;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The MultiHeadAttention layer's output equals attention computed here from its parameters with a
 * materialized softmax (no kernels), on random inputs: self and cross, causal and key padding, in
 * a double network (kernels' double reference) and a float network on the Java flash kernel.
 */
class AttentionReferenceTest {
    static final int D = 8;

    @Test
    void layerEqualsMaterializedSoftmax() {
        for (String type : new String[]{"double", "float"}) {
            for (int heads : new int[]{1, 2, 4}) {
                for (String mask : new String[]{"none", "causal", "key-padding"}) {
                    for (boolean cross : new boolean[]{false, true}) {
                        if (cross && mask.equals("causal")) {
                            continue;
                        }
                        check(type, heads, mask, cross);
                    }
                }
            }
        }
    }

    private static void check(String type, int heads, String mask, boolean cross) {
        int batch = 3, tq = cross ? 4 : 7, tk = cross ? 6 : 7, t = cross ? tq + tk : tq;
        String name = type + " H=" + heads + " mask=" + mask + (cross ? " cross" : " self");
        ComputationGraph g = chain(type, InputType.recurrent(D, t), D, true, 2,
                MultiHeadAttention.builder().name("mha").width(D).heads(heads).queryLength(cross ? tq : 0)
                        .causal(mask.equals("causal")).device("java").build());
        DataType dt = type.equals("double") ? DataType.DOUBLE : DataType.FLOAT;
        INDArray x = random(31, batch, D, t).castTo(dt);
        int[] keyLen = {tk, tk - 2, 1};
        INDArray[] masks = null;
        if (mask.equals("key-padding")) {
            int[] l = keyLen.clone();
            for (int b = 0; b < batch && cross; b++) {
                l[b] += tq;
            }
            masks = new INDArray[]{lengths(t, l).castTo(dt)};
        }
        g.setLayerMaskArrays(masks, null);
        INDArray y = g.feedForward(new INDArray[]{x}, false, false).get("mha").castTo(DataType.DOUBLE); // [B, D, Tq]
        g.clearLayerMaskArrays();

        Layer l = g.getLayer("mha");
        double[][] wq = m(l, "Wq"), wk = m(l, "Wk"), wv = m(l, "Wv"), wo = m(l, "Wo");
        double[] bq = v(l, "bq"), bk = v(l, "bk"), bv = v(l, "bv"), bo = v(l, "bo");
        double[][][] xs = tokens(x.castTo(DataType.DOUBLE)); // [B][T][D]
        int dh = D / heads;
        double scale = (float) (1.0 / Math.sqrt(dh)); // the kernels' scale is a float
        double maxErr = 0, maxRef = 0;
        for (int b = 0; b < batch; b++) {
            double[][] q = project(xs[b], 0, tq, wq, bq);
            double[][] k = project(xs[b], cross ? tq : 0, tk, wk, bk);
            double[][] vv = project(xs[b], cross ? tq : 0, tk, wv, bv);
            double[][] o = new double[tq][D];
            for (int h = 0; h < heads; h++) {
                for (int i = 0; i < tq; i++) {
                    double[] s = new double[tk];
                    double max = Double.NEGATIVE_INFINITY;
                    for (int j = 0; j < tk; j++) {
                        boolean visible = !(mask.equals("causal") && j > i) && !(mask.equals("key-padding") && j >= keyLen[b]);
                        double dot = 0;
                        for (int e = 0; e < dh; e++) {
                            dot += q[i][h * dh + e] * k[j][h * dh + e];
                        }
                        s[j] = visible ? dot * scale : Double.NEGATIVE_INFINITY;
                        max = Math.max(max, s[j]);
                    }
                    double sum = 0;
                    for (int j = 0; j < tk; j++) {
                        s[j] = Math.exp(s[j] - max);
                        sum += s[j];
                    }
                    for (int j = 0; j < tk; j++) {
                        for (int e = 0; e < dh; e++) {
                            o[i][h * dh + e] += s[j] / sum * vv[j][h * dh + e];
                        }
                    }
                }
            }
            double[][] ref = project(o, 0, tq, wo, bo);
            for (int i = 0; i < tq; i++) {
                for (int d = 0; d < D; d++) {
                    maxErr = Math.max(maxErr, Math.abs(ref[i][d] - y.getDouble(b, d, i)));
                    maxRef = Math.max(maxRef, Math.abs(ref[i][d]));
                }
            }
        }
        double bound = type.equals("double") ? 1e-12 : 1e-5;
        assertTrue(maxErr <= bound * Math.max(1, maxRef), name + ": max |layer - materialized| = " + maxErr
                + " above " + bound + " x max |ref| " + maxRef);
    }

    private static double[][] m(Layer l, String key) {
        return l.getParam(key).castTo(DataType.DOUBLE).toDoubleMatrix();
    }

    private static double[] v(Layer l, String key) {
        return l.getParam(key).castTo(DataType.DOUBLE).toDoubleVector();
    }

    /** [B, D, T] to [B][T][D]. */
    private static double[][][] tokens(INDArray x) {
        int b = (int) x.size(0), d = (int) x.size(1), t = (int) x.size(2);
        double[][][] out = new double[b][t][d];
        for (int i = 0; i < b; i++) {
            for (int j = 0; j < t; j++) {
                for (int e = 0; e < d; e++) {
                    out[i][j][e] = x.getDouble(i, e, j);
                }
            }
        }
        return out;
    }

    /** rows [from, from+n) of x [T][D] times w [D][O] plus b [O]. */
    private static double[][] project(double[][] x, int from, int n, double[][] w, double[] bias) {
        double[][] y = new double[n][bias.length];
        for (int i = 0; i < n; i++) {
            for (int o = 0; o < bias.length; o++) {
                double s = bias[o];
                for (int e = 0; e < w.length; e++) {
                    s += x[from + i][e] * w[e][o];
                }
                y[i][o] = s;
            }
        }
        return y;
    }
}
