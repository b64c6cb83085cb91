package bragg.kernels;

import com.aparapi.Kernel;

/**
 * The Aparapi kernel behind {@link AparapiFlashAttention}: flash attention forward and the
 * FlashAttention-2 backward, work-group tiled and register blocked, in one Kernel class so that
 * the device buffers (q, k, v, out, lse, ...) are shared by all passes and stay on the device
 * between them. {@link #pass} picks the pass.
 *
 * <p>Work decomposition. A work-group of {@code (T/4)^2} work-items owns a T x T block
 * (T = {@link #tile}: 16, 32 or 64, chosen per device and head size by AparapiFlashAttention);
 * work-item (ta, tb) owns a 4 x 4 register block of it: own rows {@code 4 ta + r} and columns
 * {@code 4 tb + c} (r, c = 0..3), in a 2D work-group: local id 0 = tb, local id 1 = ta. The four
 * columns are contiguous, so that a work-item's four multiply-adds per step are one 4-wide vector
 * operation on a CPU (LLVM's SLP vectoriser, which PoCL runs) and one float4 read on a GPU.
 * <pre>
 *   pass 0 forward  group = (bh, query tile, Dh chunk)  rows = queries, columns = keys, then Dh
 *   pass 1 D        one work-item per query row:  D_i = rowsum(dO_i * O_i), kept on the device
 *   pass 2 dV       group = (bh, key tile, Dh chunk)    rows = keys, columns = queries, then Dh
 *   pass 3 dK       group = (bh, key tile, Dh chunk)    rows = keys, columns = queries, then Dh
 *   pass 4 dQ       group = (bh, query tile, Dh chunk)  rows = queries, columns = keys, then Dh
 * </pre>
 * Each group streams the other side's T-row tiles through local memory: the score block S (and
 * dP in the backward) is a T x T product over Dh in chunks of T (one chunk when Dh <= T); the
 * online softmax's row maximum and sum are reduced through local memory; P (or dS) goes to local
 * memory and multiplies the streamed V, dO, Q or K rows into the work-item's 4 x 4 accumulators
 * for its T output dims. A Dh larger than T is split over groups (the Dh chunk), each
 * recomputing S. dV, dK and dQ each come from their own pass (FlashAttention-2's key-tile loop for
 * dK and dV, split in two so that a work-item holds one 4 x 4 accumulator block, not two: with
 * both, PoCL's backward ran ten times slower); no two groups write the same element, so no
 * atomics. No Lq x Lk matrix exists.
 *
 * <p>The register blocks are written out (s00 .. s33) rather than held in private arrays:
 * private arrays are indexed memory on both targets (PoCL lays them out per work-item, which
 * defeats its vectorisation across work-items; a GPU spills them), scalars are registers.
 * The backward's S and dP are two block products in a row, not one loop with both: fused,
 * PoCL ran the dK pass 4-6 times slower (dQ 1.3-3 times). The passes below are
 * generated: edit scripts/gen-flash-kernel.py and rerun it.
 *
 * <p>Written for Aparapi's bytecode translator, which imposes a dialect: primitive fields and
 * arrays only, no objects or lambdas, no {@code continue}, flags as ints, Kernel's own float
 * {@code exp/log/max/min} (Math.exp would become a double op needing fp64), local arrays passed
 * to no method, and -Infinity comes in through the field {@link #negInf}: a literal
 * {@code Float.NEGATIVE_INFINITY} is inlined by javac as a constant that Aparapi prints as
 * {@code -Infinityf}, which OpenCL C rejects.
 */
final class FlashAttentionKernel extends Kernel {
    static final int PASS_FORWARD = 0;
    static final int PASS_D = 1;
    static final int PASS_DV = 2;
    static final int PASS_DK = 3;
    static final int PASS_DQ = 4;

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
    float[] dRow = new float[1];  // [B, H, Lq]   D_i = rowsum(dO * O), written by pass 1, read by passes 3, 4
    int[] keyLen = new int[1];    // [B]          valid keys per batch item (Lk when no padding)

    // ---- scalars ----
    int pass;
    int heads;
    int lq;
    int lk;
    int dh;
    int causal;      // 1 or 0
    int numTiles;    // query tiles (passes 0, 4) or key tiles (passes 2, 3) per (b, h)
    int numChunks;   // ceil(Dh / T): output-dim chunks per tile
    int numRows;     // B * H * Lq (pass 1)
    float scale;
    float negInf = Float.NEGATIVE_INFINITY;

    /** T: rows per tile; the work-group is (T/4)^2 work-items. */
    final int tile;
    /** T / 4: work-items along a block's columns. */
    final int tbN;
    /** (T/4)^2: work-items per group. */
    final int groupSize;

    // ---- local memory, shared by the work-group: four T x T blocks and two (T/4) x T reductions ----
    @Local final float[] la;
    @Local final float[] lb;
    @Local final float[] lc;
    @Local final float[] lp;
    @Local final float[] lr1;
    @Local final float[] lr2;

    FlashAttentionKernel(int tile) {
        if (tile % 4 != 0 || tile < 16) {
            throw new IllegalArgumentException("tile must be a multiple of 4, at least 16; found " + tile);
        }
        this.tile = tile;
        this.tbN = tile / 4;
        this.groupSize = tbN * tbN;
        this.la = new float[tile * tile];
        this.lb = new float[tile * tile];
        this.lc = new float[tile * tile];
        this.lp = new float[tile * tile];
        this.lr1 = new float[tbN * tile];
        this.lr2 = new float[tbN * tile];
    }

    /** Bytes of local memory one work-group uses with tile T. */
    static long localBytes(int tile) {
        return (4L * tile * tile + 2L * (tile / 4) * tile) * Float.BYTES;
    }

    @Override
    public void run() {
        if (pass == PASS_FORWARD) {
            forwardPass();
        } else if (pass == PASS_D) {
            dPass();
        } else if (pass == PASS_DV) {
            dvPass();
        } else if (pass == PASS_DK) {
            dkPass();
        } else {
            dqPass();
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

    // D_i = dO_i . O_i, one work-item per row of [B, H, Lq]
    private void dPass() {
        int row = getGlobalId();
        if (row < numRows) {
            float acc = 0f;
            int base = row * dh;
            for (int d = 0; d < dh; d++) {
                acc += dOut[base + d] * out[base + d];
            }
            dRow[row] = acc;
        }
    }

    // out = softmax(scale q k^T) v with an online softmax over key tiles; lse = m + log(l).
    private void forwardPass() {
        int tb = getLocalId(0);
        int ta = getLocalId(1);
        int a0 = ta * 4;
        int grp = getGroupId(0);
        int chunk = grp % numChunks;
        int rest = grp / numChunks;
        int tileIndex = rest % numTiles;
        int bh = rest / numTiles;
        int b = bh / heads;
        int d0 = chunk * tile;
        int q0 = tileIndex * tile;
        int qRows = min(tile, lq - q0);
        int groupEnd = keyEnd(b, q0 + qRows - 1); // keys any query of the group may see
        int end0 = q0 + a0 + 0 < lq ? keyEnd(b, q0 + a0 + 0) : 0;
        int end1 = q0 + a0 + 1 < lq ? keyEnd(b, q0 + a0 + 1) : 0;
        int end2 = q0 + a0 + 2 < lq ? keyEnd(b, q0 + a0 + 2) : 0;
        int end3 = q0 + a0 + 3 < lq ? keyEnd(b, q0 + a0 + 3) : 0;
        float m0 = negInf;
        float m1 = negInf;
        float m2 = negInf;
        float m3 = negInf;
        float l0 = 0f;
        float l1 = 0f;
        float l2 = 0f;
        float l3 = 0f;
        float o00 = 0f, o01 = 0f, o02 = 0f, o03 = 0f;
        float o10 = 0f, o11 = 0f, o12 = 0f, o13 = 0f;
        float o20 = 0f, o21 = 0f, o22 = 0f, o23 = 0f;
        float o30 = 0f, o31 = 0f, o32 = 0f, o33 = 0f;
        for (int k0 = 0; k0 < groupEnd; k0 += tile) {
            int kRows = min(tile, lk - k0);
            float s00 = 0f, s01 = 0f, s02 = 0f, s03 = 0f;
            float s10 = 0f, s11 = 0f, s12 = 0f, s13 = 0f;
            float s20 = 0f, s21 = 0f, s22 = 0f, s23 = 0f;
            float s30 = 0f, s31 = 0f, s32 = 0f, s33 = 0f;
            for (int e0 = 0; e0 < dh; e0 += tile) {
                if (k0 == 0 || dh > tile) { // with one chunk of Dh, Q stays in la for every key tile
                    for (int row = ta; row < tile; row += tbN) {
                        for (int e = tb; e < tile; e += tbN) {
                            float x = 0f;
                            if (row < qRows && e0 + e < dh) {
                                x = q[(bh * lq + q0 + row) * dh + e0 + e] * scale;
                            }
                            la[row * tile + e] = x;
                        }
                    }
                }
                for (int row = ta; row < tile; row += tbN) {
                    for (int e = tb; e < tile; e += tbN) {
                        float x = 0f;
                        if (row < kRows && e0 + e < dh) {
                            x = k[(bh * lk + k0 + row) * dh + e0 + e];
                        }
                        lb[e * tile + row] = x;
                    }
                }
                localBarrier();
                for (int e = 0; e < tile; e++) {
                    float qa0 = la[(a0 + 0) * tile + e];
                    float qa1 = la[(a0 + 1) * tile + e];
                    float qa2 = la[(a0 + 2) * tile + e];
                    float qa3 = la[(a0 + 3) * tile + e];
                    float kb0 = lb[e * tile + tb * 4 + 0];
                    float kb1 = lb[e * tile + tb * 4 + 1];
                    float kb2 = lb[e * tile + tb * 4 + 2];
                    float kb3 = lb[e * tile + tb * 4 + 3];
                    s00 += qa0 * kb0;
                    s01 += qa0 * kb1;
                    s02 += qa0 * kb2;
                    s03 += qa0 * kb3;
                    s10 += qa1 * kb0;
                    s11 += qa1 * kb1;
                    s12 += qa1 * kb2;
                    s13 += qa1 * kb3;
                    s20 += qa2 * kb0;
                    s21 += qa2 * kb1;
                    s22 += qa2 * kb2;
                    s23 += qa2 * kb3;
                    s30 += qa3 * kb0;
                    s31 += qa3 * kb1;
                    s32 += qa3 * kb2;
                    s33 += qa3 * kb3;
                }
                localBarrier();
            }
            // mask, then this work-item's share of each row's maximum
            if (k0 + tb * 4 + 0 >= end0) { s00 = negInf; }
            if (k0 + tb * 4 + 1 >= end0) { s01 = negInf; }
            if (k0 + tb * 4 + 2 >= end0) { s02 = negInf; }
            if (k0 + tb * 4 + 3 >= end0) { s03 = negInf; }
            if (k0 + tb * 4 + 0 >= end1) { s10 = negInf; }
            if (k0 + tb * 4 + 1 >= end1) { s11 = negInf; }
            if (k0 + tb * 4 + 2 >= end1) { s12 = negInf; }
            if (k0 + tb * 4 + 3 >= end1) { s13 = negInf; }
            if (k0 + tb * 4 + 0 >= end2) { s20 = negInf; }
            if (k0 + tb * 4 + 1 >= end2) { s21 = negInf; }
            if (k0 + tb * 4 + 2 >= end2) { s22 = negInf; }
            if (k0 + tb * 4 + 3 >= end2) { s23 = negInf; }
            if (k0 + tb * 4 + 0 >= end3) { s30 = negInf; }
            if (k0 + tb * 4 + 1 >= end3) { s31 = negInf; }
            if (k0 + tb * 4 + 2 >= end3) { s32 = negInf; }
            if (k0 + tb * 4 + 3 >= end3) { s33 = negInf; }
            lr1[tb * tile + a0 + 0] = max(max(s00, s01), max(s02, s03));
            lr1[tb * tile + a0 + 1] = max(max(s10, s11), max(s12, s13));
            lr1[tb * tile + a0 + 2] = max(max(s20, s21), max(s22, s23));
            lr1[tb * tile + a0 + 3] = max(max(s30, s31), max(s32, s33));
            for (int row = ta; row < tile; row += tbN) {
                for (int e = tb; e < tile; e += tbN) {
                    float x = 0f;
                    if (row < kRows && d0 + e < dh) {
                        x = v[(bh * lk + k0 + row) * dh + d0 + e];
                    }
                    lc[row * tile + e] = x;
                }
            }
            localBarrier();
            float n0 = m0;
            float n1 = m1;
            float n2 = m2;
            float n3 = m3;
            for (int t = 0; t < tbN; t++) {
                n0 = max(n0, lr1[t * tile + a0 + 0]);
                n1 = max(n1, lr1[t * tile + a0 + 1]);
                n2 = max(n2, lr1[t * tile + a0 + 2]);
                n3 = max(n3, lr1[t * tile + a0 + 3]);
            }
            float c0 = 1f;
            float c1 = 1f;
            float c2 = 1f;
            float c3 = 1f;
            if (n0 != negInf) { c0 = exp(m0 - n0); }
            if (n1 != negInf) { c1 = exp(m1 - n1); }
            if (n2 != negInf) { c2 = exp(m2 - n2); }
            if (n3 != negInf) { c3 = exp(m3 - n3); }
            float p00 = 0f;
            float p01 = 0f;
            float p02 = 0f;
            float p03 = 0f;
            float p10 = 0f;
            float p11 = 0f;
            float p12 = 0f;
            float p13 = 0f;
            float p20 = 0f;
            float p21 = 0f;
            float p22 = 0f;
            float p23 = 0f;
            float p30 = 0f;
            float p31 = 0f;
            float p32 = 0f;
            float p33 = 0f;
            if (s00 != negInf) { p00 = exp(s00 - n0); }
            if (s01 != negInf) { p01 = exp(s01 - n0); }
            if (s02 != negInf) { p02 = exp(s02 - n0); }
            if (s03 != negInf) { p03 = exp(s03 - n0); }
            if (s10 != negInf) { p10 = exp(s10 - n1); }
            if (s11 != negInf) { p11 = exp(s11 - n1); }
            if (s12 != negInf) { p12 = exp(s12 - n1); }
            if (s13 != negInf) { p13 = exp(s13 - n1); }
            if (s20 != negInf) { p20 = exp(s20 - n2); }
            if (s21 != negInf) { p21 = exp(s21 - n2); }
            if (s22 != negInf) { p22 = exp(s22 - n2); }
            if (s23 != negInf) { p23 = exp(s23 - n2); }
            if (s30 != negInf) { p30 = exp(s30 - n3); }
            if (s31 != negInf) { p31 = exp(s31 - n3); }
            if (s32 != negInf) { p32 = exp(s32 - n3); }
            if (s33 != negInf) { p33 = exp(s33 - n3); }
            lp[(tb * 4 + 0) * tile + a0 + 0] = p00;
            lp[(tb * 4 + 1) * tile + a0 + 0] = p01;
            lp[(tb * 4 + 2) * tile + a0 + 0] = p02;
            lp[(tb * 4 + 3) * tile + a0 + 0] = p03;
            lp[(tb * 4 + 0) * tile + a0 + 1] = p10;
            lp[(tb * 4 + 1) * tile + a0 + 1] = p11;
            lp[(tb * 4 + 2) * tile + a0 + 1] = p12;
            lp[(tb * 4 + 3) * tile + a0 + 1] = p13;
            lp[(tb * 4 + 0) * tile + a0 + 2] = p20;
            lp[(tb * 4 + 1) * tile + a0 + 2] = p21;
            lp[(tb * 4 + 2) * tile + a0 + 2] = p22;
            lp[(tb * 4 + 3) * tile + a0 + 2] = p23;
            lp[(tb * 4 + 0) * tile + a0 + 3] = p30;
            lp[(tb * 4 + 1) * tile + a0 + 3] = p31;
            lp[(tb * 4 + 2) * tile + a0 + 3] = p32;
            lp[(tb * 4 + 3) * tile + a0 + 3] = p33;
            lr2[tb * tile + a0 + 0] = p00 + p01 + p02 + p03;
            lr2[tb * tile + a0 + 1] = p10 + p11 + p12 + p13;
            lr2[tb * tile + a0 + 2] = p20 + p21 + p22 + p23;
            lr2[tb * tile + a0 + 3] = p30 + p31 + p32 + p33;
            m0 = n0;
            m1 = n1;
            m2 = n2;
            m3 = n3;
            localBarrier();
            float sum0 = 0f;
            float sum1 = 0f;
            float sum2 = 0f;
            float sum3 = 0f;
            for (int t = 0; t < tbN; t++) {
                sum0 += lr2[t * tile + a0 + 0];
                sum1 += lr2[t * tile + a0 + 1];
                sum2 += lr2[t * tile + a0 + 2];
                sum3 += lr2[t * tile + a0 + 3];
            }
            l0 = l0 * c0 + sum0;
            l1 = l1 * c1 + sum1;
            l2 = l2 * c2 + sum2;
            l3 = l3 * c3 + sum3;
            o00 *= c0;
            o01 *= c0;
            o02 *= c0;
            o03 *= c0;
            o10 *= c1;
            o11 *= c1;
            o12 *= c1;
            o13 *= c1;
            o20 *= c2;
            o21 *= c2;
            o22 *= c2;
            o23 *= c2;
            o30 *= c3;
            o31 *= c3;
            o32 *= c3;
            o33 *= c3;
            for (int j = 0; j < tile; j++) {
                float pa0 = lp[j * tile + a0 + 0];
                float pa1 = lp[j * tile + a0 + 1];
                float pa2 = lp[j * tile + a0 + 2];
                float pa3 = lp[j * tile + a0 + 3];
                float vb0 = lc[j * tile + tb * 4 + 0];
                float vb1 = lc[j * tile + tb * 4 + 1];
                float vb2 = lc[j * tile + tb * 4 + 2];
                float vb3 = lc[j * tile + tb * 4 + 3];
                o00 += pa0 * vb0;
                o01 += pa0 * vb1;
                o02 += pa0 * vb2;
                o03 += pa0 * vb3;
                o10 += pa1 * vb0;
                o11 += pa1 * vb1;
                o12 += pa1 * vb2;
                o13 += pa1 * vb3;
                o20 += pa2 * vb0;
                o21 += pa2 * vb1;
                o22 += pa2 * vb2;
                o23 += pa2 * vb3;
                o30 += pa3 * vb0;
                o31 += pa3 * vb1;
                o32 += pa3 * vb2;
                o33 += pa3 * vb3;
            }
            localBarrier();
        }
        float inv0 = 0f;
        float inv1 = 0f;
        float inv2 = 0f;
        float inv3 = 0f;
        if (l0 > 0f) { inv0 = 1f / l0; }
        if (l1 > 0f) { inv1 = 1f / l1; }
        if (l2 > 0f) { inv2 = 1f / l2; }
        if (l3 > 0f) { inv3 = 1f / l3; }
        int oBase = (bh * lq + q0) * dh + d0;
        if (a0 + 0 < qRows && d0 + tb * 4 + 0 < dh) { out[oBase + (a0 + 0) * dh + tb * 4 + 0] = o00 * inv0; }
        if (a0 + 0 < qRows && d0 + tb * 4 + 1 < dh) { out[oBase + (a0 + 0) * dh + tb * 4 + 1] = o01 * inv0; }
        if (a0 + 0 < qRows && d0 + tb * 4 + 2 < dh) { out[oBase + (a0 + 0) * dh + tb * 4 + 2] = o02 * inv0; }
        if (a0 + 0 < qRows && d0 + tb * 4 + 3 < dh) { out[oBase + (a0 + 0) * dh + tb * 4 + 3] = o03 * inv0; }
        if (a0 + 1 < qRows && d0 + tb * 4 + 0 < dh) { out[oBase + (a0 + 1) * dh + tb * 4 + 0] = o10 * inv1; }
        if (a0 + 1 < qRows && d0 + tb * 4 + 1 < dh) { out[oBase + (a0 + 1) * dh + tb * 4 + 1] = o11 * inv1; }
        if (a0 + 1 < qRows && d0 + tb * 4 + 2 < dh) { out[oBase + (a0 + 1) * dh + tb * 4 + 2] = o12 * inv1; }
        if (a0 + 1 < qRows && d0 + tb * 4 + 3 < dh) { out[oBase + (a0 + 1) * dh + tb * 4 + 3] = o13 * inv1; }
        if (a0 + 2 < qRows && d0 + tb * 4 + 0 < dh) { out[oBase + (a0 + 2) * dh + tb * 4 + 0] = o20 * inv2; }
        if (a0 + 2 < qRows && d0 + tb * 4 + 1 < dh) { out[oBase + (a0 + 2) * dh + tb * 4 + 1] = o21 * inv2; }
        if (a0 + 2 < qRows && d0 + tb * 4 + 2 < dh) { out[oBase + (a0 + 2) * dh + tb * 4 + 2] = o22 * inv2; }
        if (a0 + 2 < qRows && d0 + tb * 4 + 3 < dh) { out[oBase + (a0 + 2) * dh + tb * 4 + 3] = o23 * inv2; }
        if (a0 + 3 < qRows && d0 + tb * 4 + 0 < dh) { out[oBase + (a0 + 3) * dh + tb * 4 + 0] = o30 * inv3; }
        if (a0 + 3 < qRows && d0 + tb * 4 + 1 < dh) { out[oBase + (a0 + 3) * dh + tb * 4 + 1] = o31 * inv3; }
        if (a0 + 3 < qRows && d0 + tb * 4 + 2 < dh) { out[oBase + (a0 + 3) * dh + tb * 4 + 2] = o32 * inv3; }
        if (a0 + 3 < qRows && d0 + tb * 4 + 3 < dh) { out[oBase + (a0 + 3) * dh + tb * 4 + 3] = o33 * inv3; }
        if (chunk == 0 && tb == 0) {
            if (a0 + 0 < qRows) { float x = negInf; if (l0 > 0f) { x = m0 + log(l0); } lse[bh * lq + q0 + a0 + 0] = x; }
            if (a0 + 1 < qRows) { float x = negInf; if (l1 > 0f) { x = m1 + log(l1); } lse[bh * lq + q0 + a0 + 1] = x; }
            if (a0 + 2 < qRows) { float x = negInf; if (l2 > 0f) { x = m2 + log(l2); } lse[bh * lq + q0 + a0 + 2] = x; }
            if (a0 + 3 < qRows) { float x = negInf; if (l3 > 0f) { x = m3 + log(l3); } lse[bh * lq + q0 + a0 + 3] = x; }
        }
    }

    // dv_j = sum_i P_ij dO_i, one key tile per group (dK has its own pass: one set of accumulators each).
    private void dvPass() {
        int tb = getLocalId(0);
        int ta = getLocalId(1);
        int a0 = ta * 4;
        int grp = getGroupId(0);
        int chunk = grp % numChunks;
        int rest = grp / numChunks;
        int tileIndex = rest % numTiles;
        int bh = rest / numTiles;
        int b = bh / heads;
        int d0 = chunk * tile;
        int k0 = tileIndex * tile;
        int kRows = min(tile, lk - k0);
        int valid = keyLen[b];
        int alive0 = a0 + 0 < kRows && k0 + a0 + 0 < valid ? 1 : 0;
        int alive1 = a0 + 1 < kRows && k0 + a0 + 1 < valid ? 1 : 0;
        int alive2 = a0 + 2 < kRows && k0 + a0 + 2 < valid ? 1 : 0;
        int alive3 = a0 + 3 < kRows && k0 + a0 + 3 < valid ? 1 : 0;
        float dv00 = 0f, dv01 = 0f, dv02 = 0f, dv03 = 0f;
        float dv10 = 0f, dv11 = 0f, dv12 = 0f, dv13 = 0f;
        float dv20 = 0f, dv21 = 0f, dv22 = 0f, dv23 = 0f;
        float dv30 = 0f, dv31 = 0f, dv32 = 0f, dv33 = 0f;
        // under the causal mask queries before the tile's first key see none of it; a tile that
        // starts in the padding has nothing to do (both group-uniform: every work-item meets the same barriers)
        int iStart = causal == 1 ? k0 : 0;
        int iEnd = k0 < valid ? lq : 0;
        for (int i0 = iStart; i0 < iEnd; i0 += tile) {
            int qRows = min(tile, lq - i0);
            float s00 = 0f, s01 = 0f, s02 = 0f, s03 = 0f;
            float s10 = 0f, s11 = 0f, s12 = 0f, s13 = 0f;
            float s20 = 0f, s21 = 0f, s22 = 0f, s23 = 0f;
            float s30 = 0f, s31 = 0f, s32 = 0f, s33 = 0f;
            for (int e0 = 0; e0 < dh; e0 += tile) {
                for (int row = ta; row < tile; row += tbN) {
                    for (int e = tb; e < tile; e += tbN) {
                        float x = 0f;
                        if (row < kRows && e0 + e < dh) {
                            x = k[(bh * lk + k0 + row) * dh + e0 + e];
                        }
                        la[row * tile + e] = x;
                    }
                }
                for (int row = ta; row < tile; row += tbN) {
                    for (int e = tb; e < tile; e += tbN) {
                        float x = 0f;
                        if (row < qRows && e0 + e < dh) {
                            x = q[(bh * lq + i0 + row) * dh + e0 + e] * scale;
                        }
                        lc[e * tile + row] = x;
                    }
                }
                localBarrier();
                for (int e = 0; e < tile; e++) {
                    float ka0 = la[(a0 + 0) * tile + e];
                    float ka1 = la[(a0 + 1) * tile + e];
                    float ka2 = la[(a0 + 2) * tile + e];
                    float ka3 = la[(a0 + 3) * tile + e];
                    float qb0 = lc[e * tile + tb * 4 + 0];
                    float qb1 = lc[e * tile + tb * 4 + 1];
                    float qb2 = lc[e * tile + tb * 4 + 2];
                    float qb3 = lc[e * tile + tb * 4 + 3];
                    s00 += ka0 * qb0;
                    s01 += ka0 * qb1;
                    s02 += ka0 * qb2;
                    s03 += ka0 * qb3;
                    s10 += ka1 * qb0;
                    s11 += ka1 * qb1;
                    s12 += ka1 * qb2;
                    s13 += ka1 * qb3;
                    s20 += ka2 * qb0;
                    s21 += ka2 * qb1;
                    s22 += ka2 * qb2;
                    s23 += ka2 * qb3;
                    s30 += ka3 * qb0;
                    s31 += ka3 * qb1;
                    s32 += ka3 * qb2;
                    s33 += ka3 * qb3;
                }
                localBarrier();
            }
            float lse0 = tb * 4 + 0 < qRows ? lse[bh * lq + i0 + tb * 4 + 0] : negInf;
            float lse1 = tb * 4 + 1 < qRows ? lse[bh * lq + i0 + tb * 4 + 1] : negInf;
            float lse2 = tb * 4 + 2 < qRows ? lse[bh * lq + i0 + tb * 4 + 2] : negInf;
            float lse3 = tb * 4 + 3 < qRows ? lse[bh * lq + i0 + tb * 4 + 3] : negInf;
            float p00 = 0f;
            float p01 = 0f;
            float p02 = 0f;
            float p03 = 0f;
            float p10 = 0f;
            float p11 = 0f;
            float p12 = 0f;
            float p13 = 0f;
            float p20 = 0f;
            float p21 = 0f;
            float p22 = 0f;
            float p23 = 0f;
            float p30 = 0f;
            float p31 = 0f;
            float p32 = 0f;
            float p33 = 0f;
            if (alive0 == 1 && lse0 != negInf && (causal == 0 || i0 + tb * 4 + 0 >= k0 + a0 + 0)) { p00 = exp(s00 - lse0); }
            if (alive0 == 1 && lse1 != negInf && (causal == 0 || i0 + tb * 4 + 1 >= k0 + a0 + 0)) { p01 = exp(s01 - lse1); }
            if (alive0 == 1 && lse2 != negInf && (causal == 0 || i0 + tb * 4 + 2 >= k0 + a0 + 0)) { p02 = exp(s02 - lse2); }
            if (alive0 == 1 && lse3 != negInf && (causal == 0 || i0 + tb * 4 + 3 >= k0 + a0 + 0)) { p03 = exp(s03 - lse3); }
            if (alive1 == 1 && lse0 != negInf && (causal == 0 || i0 + tb * 4 + 0 >= k0 + a0 + 1)) { p10 = exp(s10 - lse0); }
            if (alive1 == 1 && lse1 != negInf && (causal == 0 || i0 + tb * 4 + 1 >= k0 + a0 + 1)) { p11 = exp(s11 - lse1); }
            if (alive1 == 1 && lse2 != negInf && (causal == 0 || i0 + tb * 4 + 2 >= k0 + a0 + 1)) { p12 = exp(s12 - lse2); }
            if (alive1 == 1 && lse3 != negInf && (causal == 0 || i0 + tb * 4 + 3 >= k0 + a0 + 1)) { p13 = exp(s13 - lse3); }
            if (alive2 == 1 && lse0 != negInf && (causal == 0 || i0 + tb * 4 + 0 >= k0 + a0 + 2)) { p20 = exp(s20 - lse0); }
            if (alive2 == 1 && lse1 != negInf && (causal == 0 || i0 + tb * 4 + 1 >= k0 + a0 + 2)) { p21 = exp(s21 - lse1); }
            if (alive2 == 1 && lse2 != negInf && (causal == 0 || i0 + tb * 4 + 2 >= k0 + a0 + 2)) { p22 = exp(s22 - lse2); }
            if (alive2 == 1 && lse3 != negInf && (causal == 0 || i0 + tb * 4 + 3 >= k0 + a0 + 2)) { p23 = exp(s23 - lse3); }
            if (alive3 == 1 && lse0 != negInf && (causal == 0 || i0 + tb * 4 + 0 >= k0 + a0 + 3)) { p30 = exp(s30 - lse0); }
            if (alive3 == 1 && lse1 != negInf && (causal == 0 || i0 + tb * 4 + 1 >= k0 + a0 + 3)) { p31 = exp(s31 - lse1); }
            if (alive3 == 1 && lse2 != negInf && (causal == 0 || i0 + tb * 4 + 2 >= k0 + a0 + 3)) { p32 = exp(s32 - lse2); }
            if (alive3 == 1 && lse3 != negInf && (causal == 0 || i0 + tb * 4 + 3 >= k0 + a0 + 3)) { p33 = exp(s33 - lse3); }
            la[(tb * 4 + 0) * tile + a0 + 0] = p00;
            la[(tb * 4 + 1) * tile + a0 + 0] = p01;
            la[(tb * 4 + 2) * tile + a0 + 0] = p02;
            la[(tb * 4 + 3) * tile + a0 + 0] = p03;
            la[(tb * 4 + 0) * tile + a0 + 1] = p10;
            la[(tb * 4 + 1) * tile + a0 + 1] = p11;
            la[(tb * 4 + 2) * tile + a0 + 1] = p12;
            la[(tb * 4 + 3) * tile + a0 + 1] = p13;
            la[(tb * 4 + 0) * tile + a0 + 2] = p20;
            la[(tb * 4 + 1) * tile + a0 + 2] = p21;
            la[(tb * 4 + 2) * tile + a0 + 2] = p22;
            la[(tb * 4 + 3) * tile + a0 + 2] = p23;
            la[(tb * 4 + 0) * tile + a0 + 3] = p30;
            la[(tb * 4 + 1) * tile + a0 + 3] = p31;
            la[(tb * 4 + 2) * tile + a0 + 3] = p32;
            la[(tb * 4 + 3) * tile + a0 + 3] = p33;
            for (int row = ta; row < tile; row += tbN) {
                for (int e = tb; e < tile; e += tbN) {
                    float x = 0f;
                    if (row < qRows && d0 + e < dh) {
                        x = dOut[(bh * lq + i0 + row) * dh + d0 + e];
                    }
                    lc[row * tile + e] = x;
                }
            }
            localBarrier();
            for (int i = 0; i < tile; i++) {
                float pa0 = la[i * tile + a0 + 0];
                float pa1 = la[i * tile + a0 + 1];
                float pa2 = la[i * tile + a0 + 2];
                float pa3 = la[i * tile + a0 + 3];
                float ob0 = lc[i * tile + tb * 4 + 0];
                float ob1 = lc[i * tile + tb * 4 + 1];
                float ob2 = lc[i * tile + tb * 4 + 2];
                float ob3 = lc[i * tile + tb * 4 + 3];
                dv00 += pa0 * ob0;
                dv01 += pa0 * ob1;
                dv02 += pa0 * ob2;
                dv03 += pa0 * ob3;
                dv10 += pa1 * ob0;
                dv11 += pa1 * ob1;
                dv12 += pa1 * ob2;
                dv13 += pa1 * ob3;
                dv20 += pa2 * ob0;
                dv21 += pa2 * ob1;
                dv22 += pa2 * ob2;
                dv23 += pa2 * ob3;
                dv30 += pa3 * ob0;
                dv31 += pa3 * ob1;
                dv32 += pa3 * ob2;
                dv33 += pa3 * ob3;
            }
            localBarrier();
        }
        int kBase = (bh * lk + k0) * dh + d0;
        if (a0 + 0 < kRows && d0 + tb * 4 + 0 < dh) { dv[kBase + (a0 + 0) * dh + tb * 4 + 0] = dv00; }
        if (a0 + 0 < kRows && d0 + tb * 4 + 1 < dh) { dv[kBase + (a0 + 0) * dh + tb * 4 + 1] = dv01; }
        if (a0 + 0 < kRows && d0 + tb * 4 + 2 < dh) { dv[kBase + (a0 + 0) * dh + tb * 4 + 2] = dv02; }
        if (a0 + 0 < kRows && d0 + tb * 4 + 3 < dh) { dv[kBase + (a0 + 0) * dh + tb * 4 + 3] = dv03; }
        if (a0 + 1 < kRows && d0 + tb * 4 + 0 < dh) { dv[kBase + (a0 + 1) * dh + tb * 4 + 0] = dv10; }
        if (a0 + 1 < kRows && d0 + tb * 4 + 1 < dh) { dv[kBase + (a0 + 1) * dh + tb * 4 + 1] = dv11; }
        if (a0 + 1 < kRows && d0 + tb * 4 + 2 < dh) { dv[kBase + (a0 + 1) * dh + tb * 4 + 2] = dv12; }
        if (a0 + 1 < kRows && d0 + tb * 4 + 3 < dh) { dv[kBase + (a0 + 1) * dh + tb * 4 + 3] = dv13; }
        if (a0 + 2 < kRows && d0 + tb * 4 + 0 < dh) { dv[kBase + (a0 + 2) * dh + tb * 4 + 0] = dv20; }
        if (a0 + 2 < kRows && d0 + tb * 4 + 1 < dh) { dv[kBase + (a0 + 2) * dh + tb * 4 + 1] = dv21; }
        if (a0 + 2 < kRows && d0 + tb * 4 + 2 < dh) { dv[kBase + (a0 + 2) * dh + tb * 4 + 2] = dv22; }
        if (a0 + 2 < kRows && d0 + tb * 4 + 3 < dh) { dv[kBase + (a0 + 2) * dh + tb * 4 + 3] = dv23; }
        if (a0 + 3 < kRows && d0 + tb * 4 + 0 < dh) { dv[kBase + (a0 + 3) * dh + tb * 4 + 0] = dv30; }
        if (a0 + 3 < kRows && d0 + tb * 4 + 1 < dh) { dv[kBase + (a0 + 3) * dh + tb * 4 + 1] = dv31; }
        if (a0 + 3 < kRows && d0 + tb * 4 + 2 < dh) { dv[kBase + (a0 + 3) * dh + tb * 4 + 2] = dv32; }
        if (a0 + 3 < kRows && d0 + tb * 4 + 3 < dh) { dv[kBase + (a0 + 3) * dh + tb * 4 + 3] = dv33; }
    }

    // dk_j = scale * sum_i P_ij (dO_i . v_j - D_i) q_i, one key tile per group.
    private void dkPass() {
        int tb = getLocalId(0);
        int ta = getLocalId(1);
        int a0 = ta * 4;
        int grp = getGroupId(0);
        int chunk = grp % numChunks;
        int rest = grp / numChunks;
        int tileIndex = rest % numTiles;
        int bh = rest / numTiles;
        int b = bh / heads;
        int d0 = chunk * tile;
        int k0 = tileIndex * tile;
        int kRows = min(tile, lk - k0);
        int valid = keyLen[b];
        int alive0 = a0 + 0 < kRows && k0 + a0 + 0 < valid ? 1 : 0;
        int alive1 = a0 + 1 < kRows && k0 + a0 + 1 < valid ? 1 : 0;
        int alive2 = a0 + 2 < kRows && k0 + a0 + 2 < valid ? 1 : 0;
        int alive3 = a0 + 3 < kRows && k0 + a0 + 3 < valid ? 1 : 0;
        float dk00 = 0f, dk01 = 0f, dk02 = 0f, dk03 = 0f;
        float dk10 = 0f, dk11 = 0f, dk12 = 0f, dk13 = 0f;
        float dk20 = 0f, dk21 = 0f, dk22 = 0f, dk23 = 0f;
        float dk30 = 0f, dk31 = 0f, dk32 = 0f, dk33 = 0f;
        // under the causal mask queries before the tile's first key see none of it; a tile that
        // starts in the padding has nothing to do (both group-uniform: every work-item meets the same barriers)
        int iStart = causal == 1 ? k0 : 0;
        int iEnd = k0 < valid ? lq : 0;
        for (int i0 = iStart; i0 < iEnd; i0 += tile) {
            int qRows = min(tile, lq - i0);
            float s00 = 0f, s01 = 0f, s02 = 0f, s03 = 0f;
            float s10 = 0f, s11 = 0f, s12 = 0f, s13 = 0f;
            float s20 = 0f, s21 = 0f, s22 = 0f, s23 = 0f;
            float s30 = 0f, s31 = 0f, s32 = 0f, s33 = 0f;
            float dp00 = 0f, dp01 = 0f, dp02 = 0f, dp03 = 0f;
            float dp10 = 0f, dp11 = 0f, dp12 = 0f, dp13 = 0f;
            float dp20 = 0f, dp21 = 0f, dp22 = 0f, dp23 = 0f;
            float dp30 = 0f, dp31 = 0f, dp32 = 0f, dp33 = 0f;
            for (int e0 = 0; e0 < dh; e0 += tile) {
                for (int row = ta; row < tile; row += tbN) {
                    for (int e = tb; e < tile; e += tbN) {
                        float x = 0f;
                        if (row < kRows && e0 + e < dh) {
                            x = k[(bh * lk + k0 + row) * dh + e0 + e];
                        }
                        la[row * tile + e] = x;
                    }
                }
                for (int row = ta; row < tile; row += tbN) {
                    for (int e = tb; e < tile; e += tbN) {
                        float x = 0f;
                        if (row < kRows && e0 + e < dh) {
                            x = v[(bh * lk + k0 + row) * dh + e0 + e];
                        }
                        lb[row * tile + e] = x;
                    }
                }
                for (int row = ta; row < tile; row += tbN) {
                    for (int e = tb; e < tile; e += tbN) {
                        float x = 0f;
                        if (row < qRows && e0 + e < dh) {
                            x = q[(bh * lq + i0 + row) * dh + e0 + e] * scale;
                        }
                        lc[e * tile + row] = x;
                    }
                }
                for (int row = ta; row < tile; row += tbN) {
                    for (int e = tb; e < tile; e += tbN) {
                        float x = 0f;
                        if (row < qRows && e0 + e < dh) {
                            x = dOut[(bh * lq + i0 + row) * dh + e0 + e];
                        }
                        lp[e * tile + row] = x;
                    }
                }
                localBarrier();
                for (int e = 0; e < tile; e++) {
                    float ka0 = la[(a0 + 0) * tile + e];
                    float ka1 = la[(a0 + 1) * tile + e];
                    float ka2 = la[(a0 + 2) * tile + e];
                    float ka3 = la[(a0 + 3) * tile + e];
                    float qb0 = lc[e * tile + tb * 4 + 0];
                    float qb1 = lc[e * tile + tb * 4 + 1];
                    float qb2 = lc[e * tile + tb * 4 + 2];
                    float qb3 = lc[e * tile + tb * 4 + 3];
                    s00 += ka0 * qb0;
                    s01 += ka0 * qb1;
                    s02 += ka0 * qb2;
                    s03 += ka0 * qb3;
                    s10 += ka1 * qb0;
                    s11 += ka1 * qb1;
                    s12 += ka1 * qb2;
                    s13 += ka1 * qb3;
                    s20 += ka2 * qb0;
                    s21 += ka2 * qb1;
                    s22 += ka2 * qb2;
                    s23 += ka2 * qb3;
                    s30 += ka3 * qb0;
                    s31 += ka3 * qb1;
                    s32 += ka3 * qb2;
                    s33 += ka3 * qb3;
                }
                for (int e = 0; e < tile; e++) {
                    float va0 = lb[(a0 + 0) * tile + e];
                    float va1 = lb[(a0 + 1) * tile + e];
                    float va2 = lb[(a0 + 2) * tile + e];
                    float va3 = lb[(a0 + 3) * tile + e];
                    float ob0 = lp[e * tile + tb * 4 + 0];
                    float ob1 = lp[e * tile + tb * 4 + 1];
                    float ob2 = lp[e * tile + tb * 4 + 2];
                    float ob3 = lp[e * tile + tb * 4 + 3];
                    dp00 += va0 * ob0;
                    dp01 += va0 * ob1;
                    dp02 += va0 * ob2;
                    dp03 += va0 * ob3;
                    dp10 += va1 * ob0;
                    dp11 += va1 * ob1;
                    dp12 += va1 * ob2;
                    dp13 += va1 * ob3;
                    dp20 += va2 * ob0;
                    dp21 += va2 * ob1;
                    dp22 += va2 * ob2;
                    dp23 += va2 * ob3;
                    dp30 += va3 * ob0;
                    dp31 += va3 * ob1;
                    dp32 += va3 * ob2;
                    dp33 += va3 * ob3;
                }
                localBarrier();
            }
            float lse0 = tb * 4 + 0 < qRows ? lse[bh * lq + i0 + tb * 4 + 0] : negInf;
            float lse1 = tb * 4 + 1 < qRows ? lse[bh * lq + i0 + tb * 4 + 1] : negInf;
            float lse2 = tb * 4 + 2 < qRows ? lse[bh * lq + i0 + tb * 4 + 2] : negInf;
            float lse3 = tb * 4 + 3 < qRows ? lse[bh * lq + i0 + tb * 4 + 3] : negInf;
            float dd0 = tb * 4 + 0 < qRows ? dRow[bh * lq + i0 + tb * 4 + 0] : 0f;
            float dd1 = tb * 4 + 1 < qRows ? dRow[bh * lq + i0 + tb * 4 + 1] : 0f;
            float dd2 = tb * 4 + 2 < qRows ? dRow[bh * lq + i0 + tb * 4 + 2] : 0f;
            float dd3 = tb * 4 + 3 < qRows ? dRow[bh * lq + i0 + tb * 4 + 3] : 0f;
            float p00 = 0f;
            float p01 = 0f;
            float p02 = 0f;
            float p03 = 0f;
            float p10 = 0f;
            float p11 = 0f;
            float p12 = 0f;
            float p13 = 0f;
            float p20 = 0f;
            float p21 = 0f;
            float p22 = 0f;
            float p23 = 0f;
            float p30 = 0f;
            float p31 = 0f;
            float p32 = 0f;
            float p33 = 0f;
            if (alive0 == 1 && lse0 != negInf && (causal == 0 || i0 + tb * 4 + 0 >= k0 + a0 + 0)) { p00 = exp(s00 - lse0); }
            if (alive0 == 1 && lse1 != negInf && (causal == 0 || i0 + tb * 4 + 1 >= k0 + a0 + 0)) { p01 = exp(s01 - lse1); }
            if (alive0 == 1 && lse2 != negInf && (causal == 0 || i0 + tb * 4 + 2 >= k0 + a0 + 0)) { p02 = exp(s02 - lse2); }
            if (alive0 == 1 && lse3 != negInf && (causal == 0 || i0 + tb * 4 + 3 >= k0 + a0 + 0)) { p03 = exp(s03 - lse3); }
            if (alive1 == 1 && lse0 != negInf && (causal == 0 || i0 + tb * 4 + 0 >= k0 + a0 + 1)) { p10 = exp(s10 - lse0); }
            if (alive1 == 1 && lse1 != negInf && (causal == 0 || i0 + tb * 4 + 1 >= k0 + a0 + 1)) { p11 = exp(s11 - lse1); }
            if (alive1 == 1 && lse2 != negInf && (causal == 0 || i0 + tb * 4 + 2 >= k0 + a0 + 1)) { p12 = exp(s12 - lse2); }
            if (alive1 == 1 && lse3 != negInf && (causal == 0 || i0 + tb * 4 + 3 >= k0 + a0 + 1)) { p13 = exp(s13 - lse3); }
            if (alive2 == 1 && lse0 != negInf && (causal == 0 || i0 + tb * 4 + 0 >= k0 + a0 + 2)) { p20 = exp(s20 - lse0); }
            if (alive2 == 1 && lse1 != negInf && (causal == 0 || i0 + tb * 4 + 1 >= k0 + a0 + 2)) { p21 = exp(s21 - lse1); }
            if (alive2 == 1 && lse2 != negInf && (causal == 0 || i0 + tb * 4 + 2 >= k0 + a0 + 2)) { p22 = exp(s22 - lse2); }
            if (alive2 == 1 && lse3 != negInf && (causal == 0 || i0 + tb * 4 + 3 >= k0 + a0 + 2)) { p23 = exp(s23 - lse3); }
            if (alive3 == 1 && lse0 != negInf && (causal == 0 || i0 + tb * 4 + 0 >= k0 + a0 + 3)) { p30 = exp(s30 - lse0); }
            if (alive3 == 1 && lse1 != negInf && (causal == 0 || i0 + tb * 4 + 1 >= k0 + a0 + 3)) { p31 = exp(s31 - lse1); }
            if (alive3 == 1 && lse2 != negInf && (causal == 0 || i0 + tb * 4 + 2 >= k0 + a0 + 3)) { p32 = exp(s32 - lse2); }
            if (alive3 == 1 && lse3 != negInf && (causal == 0 || i0 + tb * 4 + 3 >= k0 + a0 + 3)) { p33 = exp(s33 - lse3); }
            lb[(tb * 4 + 0) * tile + a0 + 0] = p00 * (dp00 - dd0);
            lb[(tb * 4 + 1) * tile + a0 + 0] = p01 * (dp01 - dd1);
            lb[(tb * 4 + 2) * tile + a0 + 0] = p02 * (dp02 - dd2);
            lb[(tb * 4 + 3) * tile + a0 + 0] = p03 * (dp03 - dd3);
            lb[(tb * 4 + 0) * tile + a0 + 1] = p10 * (dp10 - dd0);
            lb[(tb * 4 + 1) * tile + a0 + 1] = p11 * (dp11 - dd1);
            lb[(tb * 4 + 2) * tile + a0 + 1] = p12 * (dp12 - dd2);
            lb[(tb * 4 + 3) * tile + a0 + 1] = p13 * (dp13 - dd3);
            lb[(tb * 4 + 0) * tile + a0 + 2] = p20 * (dp20 - dd0);
            lb[(tb * 4 + 1) * tile + a0 + 2] = p21 * (dp21 - dd1);
            lb[(tb * 4 + 2) * tile + a0 + 2] = p22 * (dp22 - dd2);
            lb[(tb * 4 + 3) * tile + a0 + 2] = p23 * (dp23 - dd3);
            lb[(tb * 4 + 0) * tile + a0 + 3] = p30 * (dp30 - dd0);
            lb[(tb * 4 + 1) * tile + a0 + 3] = p31 * (dp31 - dd1);
            lb[(tb * 4 + 2) * tile + a0 + 3] = p32 * (dp32 - dd2);
            lb[(tb * 4 + 3) * tile + a0 + 3] = p33 * (dp33 - dd3);
            for (int row = ta; row < tile; row += tbN) {
                for (int e = tb; e < tile; e += tbN) {
                    float x = 0f;
                    if (row < qRows && d0 + e < dh) {
                        x = q[(bh * lq + i0 + row) * dh + d0 + e] * scale;
                    }
                    lp[row * tile + e] = x;
                }
            }
            localBarrier();
            for (int i = 0; i < tile; i++) {
                float sa0 = lb[i * tile + a0 + 0];
                float sa1 = lb[i * tile + a0 + 1];
                float sa2 = lb[i * tile + a0 + 2];
                float sa3 = lb[i * tile + a0 + 3];
                float qb0 = lp[i * tile + tb * 4 + 0];
                float qb1 = lp[i * tile + tb * 4 + 1];
                float qb2 = lp[i * tile + tb * 4 + 2];
                float qb3 = lp[i * tile + tb * 4 + 3];
                dk00 += sa0 * qb0;
                dk01 += sa0 * qb1;
                dk02 += sa0 * qb2;
                dk03 += sa0 * qb3;
                dk10 += sa1 * qb0;
                dk11 += sa1 * qb1;
                dk12 += sa1 * qb2;
                dk13 += sa1 * qb3;
                dk20 += sa2 * qb0;
                dk21 += sa2 * qb1;
                dk22 += sa2 * qb2;
                dk23 += sa2 * qb3;
                dk30 += sa3 * qb0;
                dk31 += sa3 * qb1;
                dk32 += sa3 * qb2;
                dk33 += sa3 * qb3;
            }
            localBarrier();
        }
        int kBase = (bh * lk + k0) * dh + d0;
        if (a0 + 0 < kRows && d0 + tb * 4 + 0 < dh) { dk[kBase + (a0 + 0) * dh + tb * 4 + 0] = dk00; }
        if (a0 + 0 < kRows && d0 + tb * 4 + 1 < dh) { dk[kBase + (a0 + 0) * dh + tb * 4 + 1] = dk01; }
        if (a0 + 0 < kRows && d0 + tb * 4 + 2 < dh) { dk[kBase + (a0 + 0) * dh + tb * 4 + 2] = dk02; }
        if (a0 + 0 < kRows && d0 + tb * 4 + 3 < dh) { dk[kBase + (a0 + 0) * dh + tb * 4 + 3] = dk03; }
        if (a0 + 1 < kRows && d0 + tb * 4 + 0 < dh) { dk[kBase + (a0 + 1) * dh + tb * 4 + 0] = dk10; }
        if (a0 + 1 < kRows && d0 + tb * 4 + 1 < dh) { dk[kBase + (a0 + 1) * dh + tb * 4 + 1] = dk11; }
        if (a0 + 1 < kRows && d0 + tb * 4 + 2 < dh) { dk[kBase + (a0 + 1) * dh + tb * 4 + 2] = dk12; }
        if (a0 + 1 < kRows && d0 + tb * 4 + 3 < dh) { dk[kBase + (a0 + 1) * dh + tb * 4 + 3] = dk13; }
        if (a0 + 2 < kRows && d0 + tb * 4 + 0 < dh) { dk[kBase + (a0 + 2) * dh + tb * 4 + 0] = dk20; }
        if (a0 + 2 < kRows && d0 + tb * 4 + 1 < dh) { dk[kBase + (a0 + 2) * dh + tb * 4 + 1] = dk21; }
        if (a0 + 2 < kRows && d0 + tb * 4 + 2 < dh) { dk[kBase + (a0 + 2) * dh + tb * 4 + 2] = dk22; }
        if (a0 + 2 < kRows && d0 + tb * 4 + 3 < dh) { dk[kBase + (a0 + 2) * dh + tb * 4 + 3] = dk23; }
        if (a0 + 3 < kRows && d0 + tb * 4 + 0 < dh) { dk[kBase + (a0 + 3) * dh + tb * 4 + 0] = dk30; }
        if (a0 + 3 < kRows && d0 + tb * 4 + 1 < dh) { dk[kBase + (a0 + 3) * dh + tb * 4 + 1] = dk31; }
        if (a0 + 3 < kRows && d0 + tb * 4 + 2 < dh) { dk[kBase + (a0 + 3) * dh + tb * 4 + 2] = dk32; }
        if (a0 + 3 < kRows && d0 + tb * 4 + 3 < dh) { dk[kBase + (a0 + 3) * dh + tb * 4 + 3] = dk33; }
    }

    // dq_i = scale * sum_j P_ij (dO_i . v_j - D_i) k_j, one query tile per group.
    private void dqPass() {
        int tb = getLocalId(0);
        int ta = getLocalId(1);
        int a0 = ta * 4;
        int grp = getGroupId(0);
        int chunk = grp % numChunks;
        int rest = grp / numChunks;
        int tileIndex = rest % numTiles;
        int bh = rest / numTiles;
        int b = bh / heads;
        int d0 = chunk * tile;
        int q0 = tileIndex * tile;
        int qRows = min(tile, lq - q0);
        int groupEnd = keyEnd(b, q0 + qRows - 1);
        int end0 = q0 + a0 + 0 < lq ? keyEnd(b, q0 + a0 + 0) : 0;
        int end1 = q0 + a0 + 1 < lq ? keyEnd(b, q0 + a0 + 1) : 0;
        int end2 = q0 + a0 + 2 < lq ? keyEnd(b, q0 + a0 + 2) : 0;
        int end3 = q0 + a0 + 3 < lq ? keyEnd(b, q0 + a0 + 3) : 0;
        float lse0 = q0 + a0 + 0 < lq ? lse[bh * lq + q0 + a0 + 0] : negInf;
        float lse1 = q0 + a0 + 1 < lq ? lse[bh * lq + q0 + a0 + 1] : negInf;
        float lse2 = q0 + a0 + 2 < lq ? lse[bh * lq + q0 + a0 + 2] : negInf;
        float lse3 = q0 + a0 + 3 < lq ? lse[bh * lq + q0 + a0 + 3] : negInf;
        float dd0 = q0 + a0 + 0 < lq ? dRow[bh * lq + q0 + a0 + 0] : 0f;
        float dd1 = q0 + a0 + 1 < lq ? dRow[bh * lq + q0 + a0 + 1] : 0f;
        float dd2 = q0 + a0 + 2 < lq ? dRow[bh * lq + q0 + a0 + 2] : 0f;
        float dd3 = q0 + a0 + 3 < lq ? dRow[bh * lq + q0 + a0 + 3] : 0f;
        float dq00 = 0f, dq01 = 0f, dq02 = 0f, dq03 = 0f;
        float dq10 = 0f, dq11 = 0f, dq12 = 0f, dq13 = 0f;
        float dq20 = 0f, dq21 = 0f, dq22 = 0f, dq23 = 0f;
        float dq30 = 0f, dq31 = 0f, dq32 = 0f, dq33 = 0f;
        for (int k0 = 0; k0 < groupEnd; k0 += tile) {
            int kRows = min(tile, lk - k0);
            float s00 = 0f, s01 = 0f, s02 = 0f, s03 = 0f;
            float s10 = 0f, s11 = 0f, s12 = 0f, s13 = 0f;
            float s20 = 0f, s21 = 0f, s22 = 0f, s23 = 0f;
            float s30 = 0f, s31 = 0f, s32 = 0f, s33 = 0f;
            float dp00 = 0f, dp01 = 0f, dp02 = 0f, dp03 = 0f;
            float dp10 = 0f, dp11 = 0f, dp12 = 0f, dp13 = 0f;
            float dp20 = 0f, dp21 = 0f, dp22 = 0f, dp23 = 0f;
            float dp30 = 0f, dp31 = 0f, dp32 = 0f, dp33 = 0f;
            for (int e0 = 0; e0 < dh; e0 += tile) {
                for (int row = ta; row < tile; row += tbN) {
                    for (int e = tb; e < tile; e += tbN) {
                        float x = 0f;
                        if (row < qRows && e0 + e < dh) {
                            x = q[(bh * lq + q0 + row) * dh + e0 + e] * scale;
                        }
                        la[row * tile + e] = x;
                    }
                }
                for (int row = ta; row < tile; row += tbN) {
                    for (int e = tb; e < tile; e += tbN) {
                        float x = 0f;
                        if (row < qRows && e0 + e < dh) {
                            x = dOut[(bh * lq + q0 + row) * dh + e0 + e];
                        }
                        lb[row * tile + e] = x;
                    }
                }
                for (int row = ta; row < tile; row += tbN) {
                    for (int e = tb; e < tile; e += tbN) {
                        float x = 0f;
                        if (row < kRows && e0 + e < dh) {
                            x = k[(bh * lk + k0 + row) * dh + e0 + e];
                        }
                        lc[e * tile + row] = x;
                    }
                }
                for (int row = ta; row < tile; row += tbN) {
                    for (int e = tb; e < tile; e += tbN) {
                        float x = 0f;
                        if (row < kRows && e0 + e < dh) {
                            x = v[(bh * lk + k0 + row) * dh + e0 + e];
                        }
                        lp[e * tile + row] = x;
                    }
                }
                localBarrier();
                for (int e = 0; e < tile; e++) {
                    float qa0 = la[(a0 + 0) * tile + e];
                    float qa1 = la[(a0 + 1) * tile + e];
                    float qa2 = la[(a0 + 2) * tile + e];
                    float qa3 = la[(a0 + 3) * tile + e];
                    float kb0 = lc[e * tile + tb * 4 + 0];
                    float kb1 = lc[e * tile + tb * 4 + 1];
                    float kb2 = lc[e * tile + tb * 4 + 2];
                    float kb3 = lc[e * tile + tb * 4 + 3];
                    s00 += qa0 * kb0;
                    s01 += qa0 * kb1;
                    s02 += qa0 * kb2;
                    s03 += qa0 * kb3;
                    s10 += qa1 * kb0;
                    s11 += qa1 * kb1;
                    s12 += qa1 * kb2;
                    s13 += qa1 * kb3;
                    s20 += qa2 * kb0;
                    s21 += qa2 * kb1;
                    s22 += qa2 * kb2;
                    s23 += qa2 * kb3;
                    s30 += qa3 * kb0;
                    s31 += qa3 * kb1;
                    s32 += qa3 * kb2;
                    s33 += qa3 * kb3;
                }
                for (int e = 0; e < tile; e++) {
                    float oa0 = lb[(a0 + 0) * tile + e];
                    float oa1 = lb[(a0 + 1) * tile + e];
                    float oa2 = lb[(a0 + 2) * tile + e];
                    float oa3 = lb[(a0 + 3) * tile + e];
                    float vb0 = lp[e * tile + tb * 4 + 0];
                    float vb1 = lp[e * tile + tb * 4 + 1];
                    float vb2 = lp[e * tile + tb * 4 + 2];
                    float vb3 = lp[e * tile + tb * 4 + 3];
                    dp00 += oa0 * vb0;
                    dp01 += oa0 * vb1;
                    dp02 += oa0 * vb2;
                    dp03 += oa0 * vb3;
                    dp10 += oa1 * vb0;
                    dp11 += oa1 * vb1;
                    dp12 += oa1 * vb2;
                    dp13 += oa1 * vb3;
                    dp20 += oa2 * vb0;
                    dp21 += oa2 * vb1;
                    dp22 += oa2 * vb2;
                    dp23 += oa2 * vb3;
                    dp30 += oa3 * vb0;
                    dp31 += oa3 * vb1;
                    dp32 += oa3 * vb2;
                    dp33 += oa3 * vb3;
                }
                localBarrier();
            }
            float p00 = 0f;
            float p01 = 0f;
            float p02 = 0f;
            float p03 = 0f;
            float p10 = 0f;
            float p11 = 0f;
            float p12 = 0f;
            float p13 = 0f;
            float p20 = 0f;
            float p21 = 0f;
            float p22 = 0f;
            float p23 = 0f;
            float p30 = 0f;
            float p31 = 0f;
            float p32 = 0f;
            float p33 = 0f;
            if (lse0 != negInf && k0 + tb * 4 + 0 < end0) { p00 = exp(s00 - lse0); }
            if (lse0 != negInf && k0 + tb * 4 + 1 < end0) { p01 = exp(s01 - lse0); }
            if (lse0 != negInf && k0 + tb * 4 + 2 < end0) { p02 = exp(s02 - lse0); }
            if (lse0 != negInf && k0 + tb * 4 + 3 < end0) { p03 = exp(s03 - lse0); }
            if (lse1 != negInf && k0 + tb * 4 + 0 < end1) { p10 = exp(s10 - lse1); }
            if (lse1 != negInf && k0 + tb * 4 + 1 < end1) { p11 = exp(s11 - lse1); }
            if (lse1 != negInf && k0 + tb * 4 + 2 < end1) { p12 = exp(s12 - lse1); }
            if (lse1 != negInf && k0 + tb * 4 + 3 < end1) { p13 = exp(s13 - lse1); }
            if (lse2 != negInf && k0 + tb * 4 + 0 < end2) { p20 = exp(s20 - lse2); }
            if (lse2 != negInf && k0 + tb * 4 + 1 < end2) { p21 = exp(s21 - lse2); }
            if (lse2 != negInf && k0 + tb * 4 + 2 < end2) { p22 = exp(s22 - lse2); }
            if (lse2 != negInf && k0 + tb * 4 + 3 < end2) { p23 = exp(s23 - lse2); }
            if (lse3 != negInf && k0 + tb * 4 + 0 < end3) { p30 = exp(s30 - lse3); }
            if (lse3 != negInf && k0 + tb * 4 + 1 < end3) { p31 = exp(s31 - lse3); }
            if (lse3 != negInf && k0 + tb * 4 + 2 < end3) { p32 = exp(s32 - lse3); }
            if (lse3 != negInf && k0 + tb * 4 + 3 < end3) { p33 = exp(s33 - lse3); }
            la[(tb * 4 + 0) * tile + a0 + 0] = p00 * (dp00 - dd0);
            la[(tb * 4 + 1) * tile + a0 + 0] = p01 * (dp01 - dd0);
            la[(tb * 4 + 2) * tile + a0 + 0] = p02 * (dp02 - dd0);
            la[(tb * 4 + 3) * tile + a0 + 0] = p03 * (dp03 - dd0);
            la[(tb * 4 + 0) * tile + a0 + 1] = p10 * (dp10 - dd1);
            la[(tb * 4 + 1) * tile + a0 + 1] = p11 * (dp11 - dd1);
            la[(tb * 4 + 2) * tile + a0 + 1] = p12 * (dp12 - dd1);
            la[(tb * 4 + 3) * tile + a0 + 1] = p13 * (dp13 - dd1);
            la[(tb * 4 + 0) * tile + a0 + 2] = p20 * (dp20 - dd2);
            la[(tb * 4 + 1) * tile + a0 + 2] = p21 * (dp21 - dd2);
            la[(tb * 4 + 2) * tile + a0 + 2] = p22 * (dp22 - dd2);
            la[(tb * 4 + 3) * tile + a0 + 2] = p23 * (dp23 - dd2);
            la[(tb * 4 + 0) * tile + a0 + 3] = p30 * (dp30 - dd3);
            la[(tb * 4 + 1) * tile + a0 + 3] = p31 * (dp31 - dd3);
            la[(tb * 4 + 2) * tile + a0 + 3] = p32 * (dp32 - dd3);
            la[(tb * 4 + 3) * tile + a0 + 3] = p33 * (dp33 - dd3);
            for (int row = ta; row < tile; row += tbN) {
                for (int e = tb; e < tile; e += tbN) {
                    float x = 0f;
                    if (row < kRows && d0 + e < dh) {
                        x = k[(bh * lk + k0 + row) * dh + d0 + e];
                    }
                    lc[row * tile + e] = x;
                }
            }
            localBarrier();
            for (int j = 0; j < tile; j++) {
                float sa0 = la[j * tile + a0 + 0];
                float sa1 = la[j * tile + a0 + 1];
                float sa2 = la[j * tile + a0 + 2];
                float sa3 = la[j * tile + a0 + 3];
                float kb0 = lc[j * tile + tb * 4 + 0];
                float kb1 = lc[j * tile + tb * 4 + 1];
                float kb2 = lc[j * tile + tb * 4 + 2];
                float kb3 = lc[j * tile + tb * 4 + 3];
                dq00 += sa0 * kb0;
                dq01 += sa0 * kb1;
                dq02 += sa0 * kb2;
                dq03 += sa0 * kb3;
                dq10 += sa1 * kb0;
                dq11 += sa1 * kb1;
                dq12 += sa1 * kb2;
                dq13 += sa1 * kb3;
                dq20 += sa2 * kb0;
                dq21 += sa2 * kb1;
                dq22 += sa2 * kb2;
                dq23 += sa2 * kb3;
                dq30 += sa3 * kb0;
                dq31 += sa3 * kb1;
                dq32 += sa3 * kb2;
                dq33 += sa3 * kb3;
            }
            localBarrier();
        }
        int qBase = (bh * lq + q0) * dh + d0;
        if (a0 + 0 < qRows && d0 + tb * 4 + 0 < dh) { dq[qBase + (a0 + 0) * dh + tb * 4 + 0] = dq00 * scale; }
        if (a0 + 0 < qRows && d0 + tb * 4 + 1 < dh) { dq[qBase + (a0 + 0) * dh + tb * 4 + 1] = dq01 * scale; }
        if (a0 + 0 < qRows && d0 + tb * 4 + 2 < dh) { dq[qBase + (a0 + 0) * dh + tb * 4 + 2] = dq02 * scale; }
        if (a0 + 0 < qRows && d0 + tb * 4 + 3 < dh) { dq[qBase + (a0 + 0) * dh + tb * 4 + 3] = dq03 * scale; }
        if (a0 + 1 < qRows && d0 + tb * 4 + 0 < dh) { dq[qBase + (a0 + 1) * dh + tb * 4 + 0] = dq10 * scale; }
        if (a0 + 1 < qRows && d0 + tb * 4 + 1 < dh) { dq[qBase + (a0 + 1) * dh + tb * 4 + 1] = dq11 * scale; }
        if (a0 + 1 < qRows && d0 + tb * 4 + 2 < dh) { dq[qBase + (a0 + 1) * dh + tb * 4 + 2] = dq12 * scale; }
        if (a0 + 1 < qRows && d0 + tb * 4 + 3 < dh) { dq[qBase + (a0 + 1) * dh + tb * 4 + 3] = dq13 * scale; }
        if (a0 + 2 < qRows && d0 + tb * 4 + 0 < dh) { dq[qBase + (a0 + 2) * dh + tb * 4 + 0] = dq20 * scale; }
        if (a0 + 2 < qRows && d0 + tb * 4 + 1 < dh) { dq[qBase + (a0 + 2) * dh + tb * 4 + 1] = dq21 * scale; }
        if (a0 + 2 < qRows && d0 + tb * 4 + 2 < dh) { dq[qBase + (a0 + 2) * dh + tb * 4 + 2] = dq22 * scale; }
        if (a0 + 2 < qRows && d0 + tb * 4 + 3 < dh) { dq[qBase + (a0 + 2) * dh + tb * 4 + 3] = dq23 * scale; }
        if (a0 + 3 < qRows && d0 + tb * 4 + 0 < dh) { dq[qBase + (a0 + 3) * dh + tb * 4 + 0] = dq30 * scale; }
        if (a0 + 3 < qRows && d0 + tb * 4 + 1 < dh) { dq[qBase + (a0 + 3) * dh + tb * 4 + 1] = dq31 * scale; }
        if (a0 + 3 < qRows && d0 + tb * 4 + 2 < dh) { dq[qBase + (a0 + 3) * dh + tb * 4 + 2] = dq32 * scale; }
        if (a0 + 3 < qRows && d0 + tb * 4 + 3 < dh) { dq[qBase + (a0 + 3) * dh + tb * 4 + 3] = dq33 * scale; }
    }
}
