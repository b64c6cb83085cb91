package bragg.kernels;

import com.aparapi.Kernel;

/**
 * The Aparapi kernel behind {@link AparapiFlashAttention}: three passes of flash attention in one
 * Kernel class, so that the device buffers (q, k, v, out, lse, ...) are shared between the forward
 * and the two backward passes and stay on the device between them. {@link #pass} picks the pass.
 *
 * <p>Work decomposition (1D range, work-group = {@link #tile} work-items):
 * <pre>
 *   pass 0 forward    group = (bh, query tile)  work-item = one query row i
 *   pass 1 dQ and D   group = (bh, query tile)  work-item = one query row i
 *   pass 2 dK and dV  group = (bh, key tile)    work-item = one key row j
 * </pre>
 * The group streams the other side's rows through local memory, {@link #tile} rows at a time
 * (K, V tiles for passes 0 and 1; Q, dO, lse, D tiles for pass 2), loaded cooperatively between
 * two {@code localBarrier()}s. No Lq x Lk matrix exists; each work-item keeps its own row and
 * accumulators in private arrays of {@link AttentionShape#MAX_HEAD_DIM} floats.
 *
 * <p>Written for Aparapi's bytecode translator, which imposes a dialect: primitive fields and
 * arrays only, no objects or lambdas, no {@code continue}, flags as ints, Kernel's own float
 * {@code exp/log/max/min} (Math.exp would become a double op needing fp64), and -Infinity comes
 * in through the field {@link #negInf}: a literal {@code Float.NEGATIVE_INFINITY} is inlined by
 * javac as a constant that Aparapi prints as {@code -Infinityf}, which OpenCL C rejects.
 */
final class FlashAttentionKernel extends Kernel {
    static final int PASS_FORWARD = 0;
    static final int PASS_DQ = 1;
    static final int PASS_DKDV = 2;

    private static final int MAX_DH = AttentionShape.MAX_HEAD_DIM;

    // ---- global buffers (legend in AttentionShape) ----
    float[] q = new float[1];     // [B, H, Lq, Dh]
    float[] k = new float[1];     // [B, H, Lk, Dh]
    float[] v = new float[1];     // [B, H, Lk, Dh]
    float[] out = new float[1];   // [B, H, Lq, Dh]
    float[] lse = new float[1];   // [B, H, Lq]
    float[] dOut = new float[1];  // [B, H, Lq, Dh]
    float[] dq = new float[1];    // [B, H, Lq, Dh]
    float[] dk = new float[1];    // [B, H, Lk, Dh]
    float[] dv = new float[1];    // [B, H, Lk, Dh]
    float[] dRow = new float[1];  // [B, H, Lq]   D_i = rowsum(dO * O), written by pass 1, read by pass 2
    int[] keyLen = new int[1];    // [B]          valid keys per batch item (Lk when no padding)

    // ---- scalars ----
    int pass;
    int heads;
    int lq;
    int lk;
    int dh;
    int causal;      // 1 or 0
    int numTiles;    // query tiles (passes 0, 1) or key tiles (pass 2) per (b, h)
    float scale;
    float negInf = Float.NEGATIVE_INFINITY;

    /** Rows per tile = work-items per group; the local arrays below hold tile x MAX_DH floats. */
    final int tile;

    // ---- local memory: the streamed tile, shared by the work-group ----
    @Local final float[] tileA;    // [tile, Dh]  K (passes 0, 1) or Q (pass 2)
    @Local final float[] tileB;    // [tile, Dh]  V (passes 0, 1) or dO (pass 2)
    @Local final float[] tileRowA; // [tile]      lse (pass 2)
    @Local final float[] tileRowB; // [tile]      D (pass 2)

    // ---- private memory: one work-item's own row and accumulators ----
    @PrivateMemorySpace(MAX_DH) final float[] rowA = new float[MAX_DH];   // q_i or k_j
    @PrivateMemorySpace(MAX_DH) final float[] rowB = new float[MAX_DH];   // dO_i or v_j
    @PrivateMemorySpace(MAX_DH) final float[] accA = new float[MAX_DH];   // out_i, dq_i or dk_j
    @PrivateMemorySpace(MAX_DH) final float[] accB = new float[MAX_DH];   // dv_j

    FlashAttentionKernel(int tile) {
        this.tile = tile;
        this.tileA = new float[tile * MAX_DH];
        this.tileB = new float[tile * MAX_DH];
        this.tileRowA = new float[tile];
        this.tileRowB = new float[tile];
    }

    @Override
    public void run() {
        if (pass == PASS_FORWARD) {
            forwardPass();
        } else if (pass == PASS_DQ) {
            dqPass();
        } else {
            dkdvPass();
        }
    }

    /** Number of keys query row i may see: key padding, then the causal mask. */
    private int keyEnd(int b, int i) {
        int end = keyLen[b];
        if (causal == 1) {
            end = min(end, i + 1);
        }
        return end;
    }

    /** Cooperative copy of n rows of K and V starting at key k0 of (bh) into tileA/tileB. */
    private void loadKeyTile(int bh, int k0, int n, int lid) {
        int base = (bh * lk + k0) * dh;
        for (int idx = lid; idx < n * dh; idx += tile) {
            tileA[idx] = k[base + idx];
            tileB[idx] = v[base + idx];
        }
    }

    // out = softmax(scale q k^T) v with an online softmax over key tiles; lse = m + log(l)
    private void forwardPass() {
        int lid = getLocalId();
        int grp = getGroupId();
        int bh = grp / numTiles;
        int qt = grp - bh * numTiles;
        int b = bh / heads;
        int i = qt * tile + lid;
        int rowValid = i < lq ? 1 : 0;
        int groupLast = min(qt * tile + tile, lq) - 1;   // last query row of the group
        int groupEnd = keyEnd(b, groupLast);             // keys any row of the group may see
        int myEnd = keyEnd(b, i);
        int qBase = (bh * lq + i) * dh;
        if (rowValid == 1) {
            for (int d = 0; d < dh; d++) {
                rowA[d] = q[qBase + d] * scale;
                accA[d] = 0f;
            }
        }
        float m = negInf; // running max of the scaled scores
        float l = 0f;     // running sum of exp(score - m)
        for (int k0 = 0; k0 < groupEnd; k0 += tile) {
            int n = min(tile, groupEnd - k0);
            loadKeyTile(bh, k0, n, lid);
            localBarrier();
            int jn = min(n, myEnd - k0);
            if (rowValid == 1 && jn > 0) {
                float tileMax = negInf;
                for (int j = 0; j < jn; j++) {
                    float s = 0f;
                    for (int d = 0; d < dh; d++) {
                        s += rowA[d] * tileA[j * dh + d];
                    }
                    tileMax = max(tileMax, s);
                }
                float mNew = max(m, tileMax);
                float corr = exp(m - mNew); // m = -inf on the first visible tile: exp(-inf) = 0
                l = l * corr;
                for (int d = 0; d < dh; d++) {
                    accA[d] = accA[d] * corr;
                }
                for (int j = 0; j < jn; j++) {
                    float s = 0f;
                    for (int d = 0; d < dh; d++) {
                        s += rowA[d] * tileA[j * dh + d];
                    }
                    float p = exp(s - mNew);
                    l += p;
                    for (int d = 0; d < dh; d++) {
                        accA[d] += p * tileB[j * dh + d];
                    }
                }
                m = mNew;
            }
            localBarrier();
        }
        if (rowValid == 1) {
            if (l > 0f) {
                float inv = 1f / l;
                for (int d = 0; d < dh; d++) {
                    out[qBase + d] = accA[d] * inv;
                }
                lse[bh * lq + i] = m + log(l);
            } else { // fully masked row: zero output, lse = -inf
                for (int d = 0; d < dh; d++) {
                    out[qBase + d] = 0f;
                }
                lse[bh * lq + i] = negInf;
            }
        }
    }

    // D_i = dO_i . O_i ; dq_i = scale * sum_j P_ij (dO_i . v_j - D_i) k_j
    private void dqPass() {
        int lid = getLocalId();
        int grp = getGroupId();
        int bh = grp / numTiles;
        int qt = grp - bh * numTiles;
        int b = bh / heads;
        int i = qt * tile + lid;
        int rowValid = i < lq ? 1 : 0;
        int groupLast = min(qt * tile + tile, lq) - 1;
        int groupEnd = keyEnd(b, groupLast);
        int myEnd = keyEnd(b, i);
        int qBase = (bh * lq + i) * dh;
        float rowLse = negInf;
        float di = 0f;
        if (rowValid == 1) {
            rowLse = lse[bh * lq + i];
            for (int d = 0; d < dh; d++) {
                rowA[d] = q[qBase + d] * scale;
                rowB[d] = dOut[qBase + d];
                accA[d] = 0f;
                di += rowB[d] * out[qBase + d];
            }
            dRow[bh * lq + i] = di;
        }
        int alive = (rowValid == 1 && rowLse != negInf) ? 1 : 0;
        for (int k0 = 0; k0 < groupEnd; k0 += tile) {
            int n = min(tile, groupEnd - k0);
            loadKeyTile(bh, k0, n, lid);
            localBarrier();
            int jn = min(n, myEnd - k0);
            if (alive == 1) {
                for (int j = 0; j < jn; j++) {
                    float s = 0f;
                    float dp = 0f;
                    for (int d = 0; d < dh; d++) {
                        s += rowA[d] * tileA[j * dh + d];
                        dp += rowB[d] * tileB[j * dh + d];
                    }
                    float ds = exp(s - rowLse) * (dp - di);
                    for (int d = 0; d < dh; d++) {
                        accA[d] += ds * tileA[j * dh + d];
                    }
                }
            }
            localBarrier();
        }
        if (rowValid == 1) {
            for (int d = 0; d < dh; d++) {
                dq[qBase + d] = accA[d] * scale;
            }
        }
    }

    // dv_j = sum_i P_ij dO_i ; dk_j = scale * sum_i P_ij (dO_i . v_j - D_i) q_i
    private void dkdvPass() {
        int lid = getLocalId();
        int grp = getGroupId();
        int bh = grp / numTiles;
        int kt = grp - bh * numTiles;
        int b = bh / heads;
        int j = kt * tile + lid;
        int colValid = j < lk ? 1 : 0;
        int valid = keyLen[b];
        int alive = (colValid == 1 && j < valid) ? 1 : 0;
        int kBase = (bh * lk + j) * dh;
        if (colValid == 1) {
            for (int d = 0; d < dh; d++) {
                rowA[d] = k[kBase + d] * scale;
                rowB[d] = v[kBase + d];
                accA[d] = 0f;
                accB[d] = 0f;
            }
        }
        // Queries before the group's first key cannot see any of its keys under the causal mask;
        // a group whose first key is padding has nothing to do. Both decisions are group-uniform,
        // so every work-item meets the same barriers.
        int i0Start = causal == 1 ? kt * tile : 0;
        int iEnd = kt * tile < valid ? lq : 0;
        for (int i0 = i0Start; i0 < iEnd; i0 += tile) {
            int n = min(tile, lq - i0);
            int base = (bh * lq + i0) * dh;
            for (int idx = lid; idx < n * dh; idx += tile) {
                tileA[idx] = q[base + idx];
                tileB[idx] = dOut[base + idx];
            }
            if (lid < n) {
                tileRowA[lid] = lse[bh * lq + i0 + lid];
                tileRowB[lid] = dRow[bh * lq + i0 + lid];
            }
            localBarrier();
            if (alive == 1) {
                for (int ii = 0; ii < n; ii++) {
                    float rowLse = tileRowA[ii];
                    if ((causal == 0 || i0 + ii >= j) && rowLse != negInf) {
                        float s = 0f;
                        float dp = 0f;
                        for (int d = 0; d < dh; d++) {
                            s += rowA[d] * tileA[ii * dh + d];
                            dp += rowB[d] * tileB[ii * dh + d];
                        }
                        float p = exp(s - rowLse);
                        float ds = p * (dp - tileRowB[ii]);
                        for (int d = 0; d < dh; d++) {
                            accB[d] += p * tileB[ii * dh + d];
                            accA[d] += ds * tileA[ii * dh + d];
                        }
                    }
                }
            }
            localBarrier();
        }
        if (colValid == 1) {
            for (int d = 0; d < dh; d++) {
                dk[kBase + d] = accA[d] * scale;
                dv[kBase + d] = accB[d];
            }
        }
    }
}
