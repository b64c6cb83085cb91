package bragg.worker.model.ops;

import bragg.kernels.ComputePool;
import java.nio.FloatBuffer;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * Between rows [B*T, D] in native memory (what BLAS writes) and heads [B, H, T, Dh] on the heap
 * (what the attention kernels take), one pass each way, with the bias add (forward) or the bias
 * gradient (backward) fused into it. Legend in {@link Tokens}. The batch items are split over the
 * compute pool (each block copies through a row of its own); the bias gradient's partial sums
 * are added up in block order.
 */
public final class HeadRows {
    private HeadRows() {
    }

    /** Blocks of batch items: one per pool thread when the pass is worth a fork. */
    private static int parts(int b, int t, int d) {
        return ComputePool.parts(b, (long) b * t * d, 1);
    }

    /** heads[b, h, t, :] = rows[b*T + t, h*Dh : (h+1)*Dh] + bias[h*Dh : (h+1)*Dh] (bias may be null). */
    public static void toHeads(INDArray rows, float[] bias, float[] heads, int b, int t, int h) {
        int base = Math.toIntExact(rows.offset()), d = Math.toIntExact(rows.size(1)), dh = d / h;
        ComputePool.blocks(b, parts(b, t, d), (i0, i1, part) -> {
            FloatBuffer src = rows.data().asNioFloat();
            float[] row = new float[d];
            for (int i = i0; i < i1; i++) {
                for (int s = 0; s < t; s++) {
                    src.get(base + (i * t + s) * d, row, 0, d);
                    if (bias != null) {
                        for (int j = 0; j < d; j++) {
                            row[j] += bias[j];
                        }
                    }
                    for (int k = 0; k < h; k++) {
                        System.arraycopy(row, k * dh, heads, ((i * h + k) * t + s) * dh, dh);
                    }
                }
            }
        });
    }

    /**
     * rows[b*T + t, h*Dh : (h+1)*Dh] = heads[b, h, t, :]; when {@code colSums} is not null it
     * also gets the column sums of the rows added (the bias gradient of a projection).
     */
    public static void fromHeads(float[] heads, INDArray rows, float[] colSums, int b, int t, int h) {
        int base = Math.toIntExact(rows.offset()), d = Math.toIntExact(rows.size(1)), dh = d / h;
        int parts = parts(b, t, d);
        float[][] sums = colSums == null ? null : ComputePool.partials(colSums, parts);
        ComputePool.blocks(b, parts, (i0, i1, part) -> {
            FloatBuffer dst = rows.data().asNioFloat();
            float[] row = new float[d];
            float[] acc = sums == null ? null : sums[part];
            for (int i = i0; i < i1; i++) {
                for (int s = 0; s < t; s++) {
                    for (int k = 0; k < h; k++) {
                        System.arraycopy(heads, ((i * h + k) * t + s) * dh, row, k * dh, dh);
                    }
                    if (acc != null) {
                        for (int j = 0; j < d; j++) {
                            acc[j] += row[j];
                        }
                    }
                    dst.put(base + (i * t + s) * d, row, 0, d);
                }
            }
        });
        if (sums != null) {
            ComputePool.addUp(sums);
        }
    }
}
