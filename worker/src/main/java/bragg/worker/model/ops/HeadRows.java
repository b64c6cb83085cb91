package bragg.worker.model.ops;

import java.nio.FloatBuffer;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * Between rows [B*T, D] in native memory (what BLAS writes) and heads [B, H, T, Dh] on the heap
 * (what the attention kernels take), one pass each way, with the bias add (forward) or the bias
 * gradient (backward) fused into it. Legend in {@link Tokens}.
 */
public final class HeadRows {
    private HeadRows() {
    }

    /** heads[b, h, t, :] = rows[b*T + t, h*Dh : (h+1)*Dh] + bias[h*Dh : (h+1)*Dh] (bias may be null); row [D] is scratch. */
    public static void toHeads(INDArray rows, float[] bias, float[] heads, int b, int t, int h, float[] row) {
        FloatBuffer src = rows.data().asNioFloat();
        int base = Math.toIntExact(rows.offset());
        int d = row.length, dh = d / h;
        for (int i = 0; i < b; i++) {
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
    }

    /**
     * rows[b*T + t, h*Dh : (h+1)*Dh] = heads[b, h, t, :]; when {@code colSums} is not null it
     * also gets the column sums of the rows added (the bias gradient of a projection).
     */
    public static void fromHeads(float[] heads, INDArray rows, float[] colSums, int b, int t, int h, float[] row) {
        FloatBuffer dst = rows.data().asNioFloat();
        int base = Math.toIntExact(rows.offset());
        int d = row.length, dh = d / h;
        for (int i = 0; i < b; i++) {
            for (int s = 0; s < t; s++) {
                for (int k = 0; k < h; k++) {
                    System.arraycopy(heads, ((i * h + k) * t + s) * dh, row, k * dh, dh);
                }
                if (colSums != null) {
                    for (int j = 0; j < d; j++) {
                        colSums[j] += row[j];
                    }
                }
                dst.put(base + (i * t + s) * d, row, 0, d);
            }
        }
    }
}
