package bragg.kernels;

import java.util.concurrent.ForkJoinPool;

/**
 * Flash attention in plain Java, multi-threaded: the same algorithm as the OpenCL kernel
 * ({@link FlashAttentionKernel}), for machines without OpenCL. Float accumulators, no Lq x Lk
 * matrix (the largest temporary is one tile of {@link #TILE} scores per row).
 *
 * <p>Work items, spread over the JVM's {@link ComputePool} (or a pool the caller passes):
 * <pre>
 *   forward            (b, h, query tile of TILE rows)   streams K, V tiles
 *   backward           (b, h, chunk of key tiles)        streams Q, dO tiles
 * </pre>
 * Inside a work item every product is a tile-by-tile matrix product ({@link TileGemm}: SIMD
 * register blocks with the Vector API when the JVM has it, scalar 4 x 4 blocks otherwise):
 * S = Q K^T, O += P V, dP = dO V^T, dQ += dS K, dV += P^T dO, dK += dS^T Q. The streamed tile
 * (K, V or Q, dO) is laid out once per call as rows and transposed ({@code Streamed}), so the
 * products read it in place; the work item's own rows are copied into per-thread scratch,
 * zero-padded to whole SIMD vectors. The softmax steps between the products are {@link SoftmaxRows} (SIMD or scalar, with
 * {@link FastExp}'s exp, about 3x cheaper than Math.exp).
 *
 * <p>Backward, FlashAttention-2 style: D_i = rowsum(dO_i * O_i) first; then one pass over key
 * tiles with an inner loop over query tiles, five tile products per (key tile, query tile):
 * S^T, dP^T, dV += P^T dO, dK += dS^T Q and dQ += dS K. dK and dV have one writer each; dQ
 * shares go to per-work-item slices that are summed at the end, so there are no atomics.
 */
public final class JavaFlashAttention implements AttentionKernel {
    /** Rows per tile; a tile of 64 x 128 floats (32 KiB) stays in L1/L2. */
    static final int TILE = 64;
    /**
     * Sequences up to this length take one tile of their own length instead (rounded up to whole
     * SIMD vectors): a ViT's 65 tokens would otherwise be a tile of 64 and a tile of 1, each
     * padded, with twice the tile products and an online-softmax rescale for one key.
     */
    static final int MAX_SINGLE_TILE = 128;

    private final ForkJoinPool pool;
    /** Tile products on SIMD vectors ({@link TileGemm#SIMD_AVAILABLE}) or scalar blocks. */
    private final boolean simd;
    /**
     * Per-call buffers kept between calls (a training loop calls with the same shapes): megabyte
     * arrays allocated on every call are G1 humongous objects, whose collection work would run
     * beside the kernel. Slots: 0 k^T, 1 q^T, 2 dO^T, 3-4 padded row copies, 6 dqPart, 7 dRow.
     */
    private final float[][] buffers = new float[8][]; // slot 5 unused

    /** Buffer slot {@code slot} with exactly n floats, reused when it has that size (contents stale). */
    private float[] buffer(int slot, int n) {
        float[] b = buffers[slot];
        if (b == null || b.length != n) {
            b = new float[n];
            buffers[slot] = b;
        }
        return b;
    }

    /** Runs on the JVM's {@link ComputePool}, shared by all instances. */
    public JavaFlashAttention() {
        this(ComputePool.shared());
    }

    /** Runs on the given pool (a Spark task may pass a pool sized to its spark.task.cpus). */
    public JavaFlashAttention(ForkJoinPool pool) {
        this(pool, TileGemm.SIMD_AVAILABLE);
    }

    /** As above, with the scalar products forced when {@code simd} is false (tests check both). */
    JavaFlashAttention(ForkJoinPool pool, boolean simd) {
        if (pool == null) {
            throw new IllegalArgumentException("pool is null");
        }
        if (simd && !TileGemm.SIMD_AVAILABLE) {
            throw new IllegalArgumentException("SIMD tile products need the JVM flag --add-modules=jdk.incubator.vector");
        }
        this.pool = pool;
        this.simd = simd;
    }

    @Override
    public String backend() {
        return "java (" + pool.getParallelism() + " threads, tile=" + TILE + ", one tile up to L=" + MAX_SINGLE_TILE + ", "
                + TileGemm.describe(simd) + ")";
    }

    /** Runs body(0..n-1) on the pool and waits; work items write disjoint outputs. */
    private void parallel(int n, java.util.function.IntConsumer body) {
        ComputePool.parallel(pool, n, body);
    }

    /** The tile of a call whose longer side (queries or keys) is {@code len}. */
    static int tileFor(int len) {
        return len <= MAX_SINGLE_TILE ? Math.max(4, TileGemm.padColumns(len)) : TILE;
    }

    private static int tiles(int rows, int tile) {
        return (rows + tile - 1) / tile;
    }

    /** Keys that query i of batch item b may see: padding, then causal. */
    private static int keyEnd(AttentionShape s, int b, int i) {
        int end = s.validKeys(b);
        return s.causal ? Math.min(end, i + 1) : end;
    }

    private static int ceil4(int n) {
        return (n + 3) & ~3;
    }

    /**
     * Per-thread tiles of the work item's own rows, allocated once per worker thread: [T, dhP]
     * for the call's tile T <= MAX = max(TILE, MAX_SINGLE_TILE)
     * with row stride dhP (Dh rounded up to {@link TileGemm#COLUMNS}, zero-padded).
     */
    private static final class Scratch {
        static final int DH = AttentionShape.MAX_HEAD_DIM;
        static final int MAX = Math.max(TILE, MAX_SINGLE_TILE);
        final float[] ownA = new float[MAX * DH];   // [T, dhP] q*scale (fwd) or k (dK/dV)
        final float[] ownB = new float[MAX * DH];   // [T, dhP] dO (dQ) or v (dK/dV)
        final float[] acc1 = new float[MAX * DH];   // [T, dhP] out, dq or dk accumulator
        final float[] acc2 = new float[MAX * DH];   // [T, dhP] dv accumulator
        final float[] s = new float[MAX * MAX];     // [T, T] scores, then P
        final float[] dp = new float[MAX * MAX];    // [T, T] dP, then dS
        final float[] m = new float[MAX];           // [T] running max (fwd)
        final float[] l = new float[MAX];           // [T] running sum (fwd)
        final float[] rowLse = new float[MAX];      // [T] lse of the rows in play
        final float[] rowD = new float[MAX];        // [T] D of the rows in play
    }

    private static final ThreadLocal<Scratch> SCRATCH = ThreadLocal.withInitial(Scratch::new);

    /**
     * rows [r0, r0+n) of a [*, dh] block at base, times factor, into dst [ceil4(n), dhP],
     * zero-padded in both directions (padding rows feed the 4-row blocks of a product).
     */
    private static void loadRows(float[] src, int base, int r0, int n, int dh, float factor, float[] dst) {
        int dhP = TileGemm.padColumns(dh), n4 = ceil4(n);
        for (int r = 0; r < n4; r++) {
            int to = r * dhP;
            if (r < n) {
                int from = base + (r0 + r) * dh;
                for (int d = 0; d < dh; d++) {
                    dst[to + d] = src[from + d] * factor;
                }
                java.util.Arrays.fill(dst, to + dh, to + dhP, 0f);
            } else {
                java.util.Arrays.fill(dst, to, to + dhP, 0f);
            }
        }
    }

    /**
     * The streamed side of a pass (K, V for the forward and dQ; Q, dO for dK/dV), laid out once
     * per call the way the tile products read it, so that no tile is copied per step:
     * <pre>
     *   rows [B*H, len, dhP]   the caller's array itself when dh == dhP, else a zero-padded copy
     *   t    [B*H, dh, lenP]   transposed, lenP = len rounded up to COLUMNS, zero-padded
     * </pre>
     * O(len * Dh) floats each: no len x len term.
     */
    private final class Streamed {
        final float[] rows;
        final float[] t;
        final int len;
        final int lenP;
        final int dh;
        final int dhP;

        /** As below, unscaled. */
        Streamed(float[] src, int bhCount, int len, int dh, int tSlot, int rowSlot) {
            this(src, bhCount, len, dh, tSlot, rowSlot, 1f);
        }

        /**
         * tSlot: buffer slot of the transposed copy, or -1 for none; rowSlot: of the padded row
         * copy; both copies hold src * factor (rounded once, as {@link #loadRows} rounds it).
         */
        Streamed(float[] src, int bhCount, int len, int dh, int tSlot, int rowSlot, float factor) {
            this.len = len;
            this.lenP = TileGemm.padColumns(len);
            this.dh = dh;
            this.dhP = TileGemm.padColumns(dh);
            if (dhP == dh && factor == 1f) {
                rows = src;
            } else {
                float[] padded = buffer(rowSlot, bhCount * len * dhP);
                parallel(bhCount, bh -> {
                    for (int r = bh * len; r < (bh + 1) * len; r++) {
                        for (int d = 0; d < dh; d++) {
                            padded[r * dhP + d] = src[r * dh + d] * factor;
                        }
                        java.util.Arrays.fill(padded, r * dhP + dh, (r + 1) * dhP, 0f);
                    }
                });
                rows = padded;
            }
            if (tSlot >= 0) {
                float[] tr = buffer(tSlot, bhCount * dh * lenP);
                // blocks of 16 rows: contiguous writes, and the rows read stay in L1 (a plain
                // row-by-row transpose writes with a stride of lenP floats, often 4 KiB-aliased)
                int blocks = (len + 15) / 16;
                parallel(bhCount * blocks, item -> {
                    int bh = item / blocks, r0 = (item % blocks) * 16, r1 = Math.min(len, r0 + 16);
                    int from = bh * len * dh, to = bh * dh * lenP;
                    for (int d = 0; d < dh; d++) {
                        int row = to + d * lenP;
                        for (int r = r0; r < r1; r++) {
                            tr[row + r] = src[from + r * dh + d] * factor;
                        }
                        if (r1 == len) { // the last block zeroes the padding columns (a reused buffer is stale)
                            java.util.Arrays.fill(tr, row + len, row + lenP, 0f);
                        }
                    }
                });
                t = tr;
            } else {
                t = null;
            }
        }

        /** Offset of row r0 of head bh in {@link #rows} (row stride dhP). */
        int rowsAt(int bh, int r0) {
            return (bh * len + r0) * dhP;
        }

        /** Offset of column r0 of head bh in {@link #t} (row stride lenP). */
        int tAt(int bh, int r0) {
            return bh * dh * lenP + r0;
        }
    }

    // ------------------------------------------------------------------ forward

    @Override
    public void forward(AttentionShape s, float[] q, float[] k, float[] v, float[] out, float[] lse) {
        AttentionKernel.checkForward(s, q, k, v, out, lse);
        int bhCount = s.batch * s.heads, t = tileFor(Math.max(s.queryLength, s.keyLength)), qTiles = tiles(s.queryLength, t);
        Streamed kS = new Streamed(k, bhCount, s.keyLength, s.headDim, 0, 3);
        Streamed vS = new Streamed(v, bhCount, s.keyLength, s.headDim, -1, 4);
        parallel(bhCount * qTiles, item -> forwardTile(simd, s, t, item / qTiles, item % qTiles, q, kS, vS, out, lse));
    }

    /** One (bh, query tile): S = Q K^T per key tile, online softmax, O += P V; out = O / l. */
    private static void forwardTile(boolean simd, AttentionShape s, int t, int bh, int qt, float[] q, Streamed kS,
                                    Streamed vS, float[] out, float[] lse) {
        final int lq = s.queryLength, dh = s.headDim, dhP = TileGemm.padColumns(dh);
        final int b = bh / s.heads;
        final int i0 = qt * t, rows = Math.min(t, lq - i0), rows4 = ceil4(rows);
        final int qBase = bh * lq * dh;
        final Scratch w = SCRATCH.get();
        final float[] qs = w.ownA, acc = w.acc1, sc = w.s, m = w.m, l = w.l;
        loadRows(q, qBase, i0, rows, dh, s.scale, qs);
        java.util.Arrays.fill(acc, 0, rows4 * dhP, 0f);
        java.util.Arrays.fill(m, Float.NEGATIVE_INFINITY);
        java.util.Arrays.fill(l, 0f);
        final int groupEnd = keyEnd(s, b, i0 + rows - 1);
        for (int k0 = 0; k0 < groupEnd; k0 += t) {
            int n = Math.min(t, groupEnd - k0), nP = TileGemm.padColumns(n);
            TileGemm.nn(simd, qs, 0, dhP, kS.t, kS.tAt(bh, k0), kS.lenP, rows4, nP, dh, sc, 0, t, false); // S
            for (int r = 0; r < rows4; r++) {
                int row = r * t;
                int jn = r < rows ? Math.max(0, Math.min(n, keyEnd(s, b, i0 + r) - k0)) : 0;
                if (jn == 0) {
                    java.util.Arrays.fill(sc, row, row + n, 0f);
                    continue;
                }
                float tileMax = SoftmaxRows.max(simd, sc, row, jn);
                if (tileMax > m[r]) {
                    float corr = m[r] == Float.NEGATIVE_INFINITY ? 0f : FastExp.exp(m[r] - tileMax);
                    l[r] *= corr;
                    for (int d = 0, a = r * dhP; d < dhP; d++) {
                        acc[a + d] *= corr;
                    }
                    m[r] = tileMax;
                }
                l[r] += SoftmaxRows.expShiftSum(simd, sc, row, jn, m[r]);
                java.util.Arrays.fill(sc, row + jn, row + n, 0f);
            }
            TileGemm.nn(simd, sc, 0, t, vS.rows, vS.rowsAt(bh, k0), dhP, rows4, dhP, n, acc, 0, dhP, true); // O += P V
        }
        for (int r = 0; r < rows; r++) {
            int to = qBase + (i0 + r) * dh;
            if (l[r] > 0f) {
                float inv = 1f / l[r];
                for (int d = 0; d < dh; d++) {
                    out[to + d] = acc[r * dhP + d] * inv;
                }
                lse[bh * lq + i0 + r] = m[r] + (float) Math.log(l[r]);
            } else { // fully masked row
                java.util.Arrays.fill(out, to, to + dh, 0f);
                lse[bh * lq + i0 + r] = Float.NEGATIVE_INFINITY;
            }
        }
    }

    // ------------------------------------------------------------------ backward

    @Override
    public void backward(AttentionShape s, float[] q, float[] k, float[] v, float[] out, float[] lse, float[] dOut,
                         float[] dq, float[] dk, float[] dv) {
        AttentionKernel.checkBackward(s, q, k, v, out, lse, dOut, dq, dk, dv);
        final int dh = s.headDim, bhCount = s.batch * s.heads;
        final float[] dRow = buffer(7, s.rows()); // [B, H, Lq] D_i = rowsum(dO * O), every entry written
        for (int row = 0; row < dRow.length; row++) {
            float acc = 0f;
            int base = row * dh;
            for (int d = 0; d < dh; d++) {
                acc += dOut[base + d] * out[base + d];
            }
            dRow[row] = acc;
        }
        // one pass over key tiles, FlashAttention-2's loop: dK, dV of the tile and its share of
        // dQ. Work item (bh, chunk c) takes key tiles c, c + chunks, ...; its dQ shares go to its
        // own slice of dqPart [chunks, B*H, lqT, dhP], summed below, so no two items write the same
        // float. chunks > 1 only when B*H alone cannot keep the pool busy.
        final int lq = s.queryLength, dhP = TileGemm.padColumns(dh), t = tileFor(Math.max(lq, s.keyLength));
        final int kTiles = tiles(s.keyLength, t);
        final int chunks = Math.max(1, Math.min(kTiles, (2 * pool.getParallelism() + bhCount - 1) / bhCount));
        final int lqT = tiles(lq, t) * t; // whole tiles, so a 4-row block of the last tile stays in its slice
        final float[] dqPart = buffer(6, Math.multiplyExact(Math.multiplyExact(chunks * bhCount, lqT), dhP));
        final int slice = lqT * dhP;
        parallel(chunks * bhCount, i -> java.util.Arrays.fill(dqPart, i * slice, (i + 1) * slice, 0f));
        // scores are recomputed exactly as the forward computed them, (q * scale) . k: the same
        // rounded operands in the same order, so P sums to 1 as it did there (q . (k * scale) would
        // round differently, and a large shared score offset turns that into dq's error)
        Streamed qS = new Streamed(q, bhCount, lq, dh, 1, 3, s.scale);
        Streamed dOS = new Streamed(dOut, bhCount, lq, dh, 2, 4);
        parallel(bhCount * chunks, item -> {
            int bh = item / chunks, c = item % chunks;
            int part = (c * bhCount + bh) * lqT * dhP;
            for (int kt = c; kt < kTiles; kt += chunks) {
                dkdvTile(simd, s, t, bh, kt, qS, k, v, lse, dOS, dRow, dk, dv, dqPart, part);
            }
        });
        parallel(bhCount, bh -> {
            for (int i = 0; i < lq; i++) {
                int to = (bh * lq + i) * dh;
                for (int d = 0; d < dh; d++) {
                    float sum = 0f;
                    for (int c = 0; c < chunks; c++) {
                        sum += dqPart[((c * bhCount + bh) * lqT + i) * dhP + d];
                    }
                    dq[to + d] = sum * s.scale;
                }
            }
        });
    }

    /**
     * dV = P^T dO and dK = dS^T (Q * scale) for one (bh, key tile), over query tiles (qS holds
     * Q * scale); adds the tile's share of dS K to dqPart [lqT, dhP] at offset part (dQ is scale
     * times their sum).
     */
    private static void dkdvTile(boolean simd, AttentionShape s, int t, int bh, int kt, Streamed qS, float[] k, float[] v,
                                 float[] lse, Streamed dOS, float[] dRow, float[] dk, float[] dv, float[] dqPart,
                                 int part) {
        final int lq = s.queryLength, lk = s.keyLength, dh = s.headDim, dhP = TileGemm.padColumns(dh);
        final int b = bh / s.heads;
        final int j0 = kt * t, cols = Math.min(t, lk - j0), cols4 = ceil4(cols);
        final int kBase = bh * lk * dh;
        final int valid = s.validKeys(b);
        if (j0 >= valid) { // every key of the tile is padding: zero gradients
            java.util.Arrays.fill(dk, kBase + j0 * dh, kBase + (j0 + cols) * dh, 0f);
            java.util.Arrays.fill(dv, kBase + j0 * dh, kBase + (j0 + cols) * dh, 0f);
            return;
        }
        final Scratch w = SCRATCH.get();
        final float[] ks = w.ownA, vs = w.ownB, dkAcc = w.acc1, dvAcc = w.acc2;
        final float[] pT = w.s, dsT = w.dp, rowLse = w.rowLse, rowD = w.rowD;
        loadRows(k, kBase, j0, cols, dh, 1f, ks);
        loadRows(v, kBase, j0, cols, dh, 1f, vs);
        java.util.Arrays.fill(dkAcc, 0, cols4 * dhP, 0f);
        java.util.Arrays.fill(dvAcc, 0, cols4 * dhP, 0f);
        // causal: query i sees key j only when i >= j, so queries before j0 contribute nothing
        for (int i0 = s.causal ? j0 : 0; i0 < lq; i0 += t) {
            int n = Math.min(t, lq - i0), nP = TileGemm.padColumns(n);
            System.arraycopy(lse, bh * lq + i0, rowLse, 0, n);
            System.arraycopy(dRow, bh * lq + i0, rowD, 0, n);
            TileGemm.nn(simd, ks, 0, dhP, qS.t, qS.tAt(bh, i0), qS.lenP, cols4, nP, dh, pT, 0, t, false);    // S^T
            TileGemm.nn(simd, vs, 0, dhP, dOS.t, dOS.tAt(bh, i0), dOS.lenP, cols4, nP, dh, dsT, 0, t, false); // dP^T
            for (int c = 0; c < cols4; c++) {
                int row = c * t, j = j0 + c;
                if (c >= cols || j >= valid) {
                    java.util.Arrays.fill(pT, row, row + n, 0f);
                    java.util.Arrays.fill(dsT, row, row + n, 0f);
                    continue;
                }
                int first = s.causal ? Math.max(0, Math.min(n, j - i0)) : 0; // first query that sees key j
                java.util.Arrays.fill(pT, row, row + first, 0f);
                java.util.Arrays.fill(dsT, row, row + first, 0f);
                SoftmaxRows.dsColumn(simd, pT, dsT, row, first, n, rowLse, rowD); // P^T, dS^T
            }
            TileGemm.nn(simd, pT, 0, t, dOS.rows, dOS.rowsAt(bh, i0), dhP, cols4, dhP, n, dvAcc, 0, dhP, true); // dV += P^T dO
            TileGemm.nn(simd, dsT, 0, t, qS.rows, qS.rowsAt(bh, i0), dhP, cols4, dhP, n, dkAcc, 0, dhP, true); // dK += dS^T Q
            // dQ[i0 .., :] += dS k (times scale when summed): dS^T's padding rows (keys >= cols) and ks's are zero;
            // its columns past n only reach dqPart rows past Lq, which are never read
            TileGemm.tnAccumulate(simd, dsT, 0, t, ks, 0, dhP, ceil4(n), dhP, cols4, dqPart, part + i0 * dhP, dhP);
        }
        for (int c = 0; c < cols; c++) {
            int to = kBase + (j0 + c) * dh;
            boolean padded = j0 + c >= valid;
            for (int d = 0; d < dh; d++) {
                dk[to + d] = padded ? 0f : dkAcc[c * dhP + d];
                dv[to + d] = padded ? 0f : dvAcc[c * dhP + d];
            }
        }
    }

    @Override
    public void close() {
        // the pool is shared or owned by the caller
    }
}
