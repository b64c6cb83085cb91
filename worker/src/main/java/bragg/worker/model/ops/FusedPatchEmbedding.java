package bragg.worker.model.ops;

import bragg.kernels.RowKernels;
import java.nio.FloatBuffer;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * The float32 patch embedding, forward and backward: patches cut by copies of P-float runs
 * (no permute of the image), one BLAS product, the class token and the bias set in the pass that
 * lays the rows out as tokens. Same math as PatchEmbeddingLayer's reference path.
 * <pre>
 *   image x [B, C, H, W]; gh = H/P, gw = W/P, G = gh*gw patches per image; B' = B*C and Cp = 1
 *   when perChannel (each channel its own image), else B' = B and Cp = C; K = Cp*P*P
 *   patches [B'*G, K]  saved      row (b', gy*gw + gx), column (c', py*P + px)
 *   proj = patches W   [B'*G, D]  scratch
 *   y rows [B*T, D]:  row b*T + 0 = cls (when classToken), row b*T + off + i = proj[b*(T-off) + i] + bias
 *   backward: dcls = sum_b dy[b*T]; dproj = dy's patch rows; db = sum dproj; dW = patches^T dproj;
 *             dpatches = dproj W^T, put back at the pixels they came from -> dx [B, C, H, W]
 * </pre>
 */
public final class FusedPatchEmbedding {
    private final Arena own = new Arena();
    private INDArray patches;
    private int batch, channels, height, width, patch, dim, tokens;
    private boolean perChannel, classToken;

    /**
     * @param x [B, C, H, W] 'c'-contiguous image batch
     * @return y rows [B*T, D], valid until the next forward
     */
    public INDArray forward(INDArray x, int patch, int dim, boolean perChannel, boolean classToken, Params p,
                            boolean training) {
        if (x.ordering() != 'c' || x.elementWiseStride() != 1) {
            x = x.dup('c');
        }
        this.batch = (int) x.size(0);
        this.channels = (int) x.size(1);
        this.height = (int) x.size(2);
        this.width = (int) x.size(3);
        this.patch = patch;
        this.dim = dim;
        this.perChannel = perChannel;
        this.classToken = classToken;
        int g = (height / patch) * (width / patch), k = kWidth(), rowsOfPatches = batch * (perChannel ? channels : 1) * g;
        int off = classToken ? 1 : 0;
        tokens = (perChannel ? channels * g : g) + off;
        Arena tmp = FusedBlock.scratch();
        patches = (training ? own : tmp).rows("patches", rowsOfPatches, k);
        im2col(x.data().asNioFloat(), Math.toIntExact(x.offset()), patches, tmp);
        INDArray proj = tmp.rows("proj", rowsOfPatches, dim);
        Gemm.gemm(patches, false, p.get("W"), false, proj, 0f);
        INDArray y = own.rows("y", (long) batch * tokens, dim);
        float[] bias = Tokens.read(p.get("b"), own.floats("b", dim));
        FloatBuffer ys = y.data().asNioFloat();
        if (classToken) {
            float[] cls = Tokens.read(p.get("cls"), own.floats("cls", dim));
            for (int b = 0; b < batch; b++) {
                ys.put(b * tokens * dim, cls, 0, dim);
            }
        }
        int per = tokens - off;
        for (int b = 0; b < batch; b++) {
            RowKernels.biasResidual(Arena.bytes(proj), b * per * dim, bias, null, 0, Arena.bytes(y),
                    (b * tokens + off) * dim, per, dim);
        }
        return y;
    }

    /** Writes W, b (and cls) gradients into g; returns dx [B, C, H, W]. */
    public INDArray backward(INDArray dy, Params p, Params g) {
        Arena tmp = FusedBlock.scratch();
        int off = classToken ? 1 : 0, per = tokens - off, k = kWidth();
        INDArray dproj = tmp.rows("proj", (long) batch * per, dim);
        FloatBuffer src = dy.data().asNioFloat(), dst = dproj.data().asNioFloat();
        int base = Math.toIntExact(dy.offset());
        float[] row = tmp.floats("row", dim);
        float[] dcls = tmp.floats("dcls", dim);
        java.util.Arrays.fill(dcls, 0f);
        for (int b = 0; b < batch; b++) {
            if (classToken) {
                src.get(base + b * tokens * dim, row, 0, dim);
                for (int j = 0; j < dim; j++) {
                    dcls[j] += row[j];
                }
            }
            for (int i = 0; i < per; i++) {
                src.get(base + (b * tokens + off + i) * dim, row, 0, dim);
                dst.put((b * per + i) * dim, row, 0, dim);
            }
        }
        if (classToken) {
            Tokens.write(g.get("cls"), dcls);
        }
        float[] db = tmp.floats("db", dim);
        java.util.Arrays.fill(db, 0f);
        RowKernels.columnSums(Arena.bytes(dproj), 0, db, batch * per, dim);
        Tokens.write(g.get("b"), db);
        Gemm.gemm(patches, true, dproj, false, g.get("W"), 0f);
        INDArray dpatches = tmp.rows("dpatches", patches.size(0), k);
        Gemm.gemm(dproj, false, p.get("W"), true, dpatches, 0f);
        INDArray dx = own.rows("dx", (long) batch * channels * height, width).reshape('c', batch, channels, height, width);
        col2im(dpatches, dx.data().asNioFloat(), tmp);
        return dx;
    }

    private int kWidth() {
        return (perChannel ? 1 : channels) * patch * patch;
    }

    /** patches [B'*G, K] from the images at xs[xo..]: one image at a time through a heap copy. */
    private void im2col(FloatBuffer xs, int xo, INDArray into, Arena tmp) {
        int img = channels * height * width, perImage = perImageFloats();
        float[] image = tmp.floats("image", img), rows = tmp.floats("im2col", perImage);
        FloatBuffer ps = into.data().asNioFloat();
        for (int b = 0; b < batch; b++) {
            xs.get(xo + b * img, image, 0, img);
            movePatches(image, rows, true);
            ps.put(b * perImage, rows, 0, perImage);
        }
    }

    /** The inverse of {@link #im2col}: every patch element back at its pixel (patches do not overlap). */
    private void col2im(INDArray from, FloatBuffer dxs, Arena tmp) {
        int img = channels * height * width, perImage = perImageFloats();
        float[] image = tmp.floats("image", img), rows = tmp.floats("im2col", perImage);
        FloatBuffer ps = from.data().asNioFloat();
        for (int b = 0; b < batch; b++) {
            ps.get(b * perImage, rows, 0, perImage);
            movePatches(image, rows, false);
            dxs.put(b * img, image, 0, img);
        }
    }

    /** Floats of one image's patch rows: (perChannel ? C : 1) * G rows of K. */
    private int perImageFloats() {
        return (perChannel ? channels : 1) * (height / patch) * (width / patch) * kWidth();
    }

    /**
     * The one map between an image [C, H, W] and its patch rows [G', K]: P-float runs copied
     * image -> rows ({@code toRows}) or rows -> image.
     */
    private void movePatches(float[] image, float[] rows, boolean toRows) {
        int plane = height * width, k = kWidth(), gw = width / patch, gh = height / patch;
        for (int c = 0; c < channels; c++) {
            for (int gy = 0; gy < gh; gy++) {
                for (int gx = 0; gx < gw; gx++) {
                    int prow = perChannel ? (c * gh + gy) * gw + gx : gy * gw + gx;
                    int col0 = perChannel ? 0 : c * patch * patch;
                    for (int py = 0; py < patch; py++) {
                        int pixel = c * plane + (gy * patch + py) * width + gx * patch;
                        int entry = prow * k + col0 + py * patch;
                        if (toRows) {
                            System.arraycopy(image, pixel, rows, entry, patch);
                        } else {
                            System.arraycopy(rows, entry, image, pixel, patch);
                        }
                    }
                }
            }
        }
    }
}
