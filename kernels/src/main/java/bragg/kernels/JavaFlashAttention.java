package bragg.kernels;

import java.util.concurrent.ForkJoinPool;
import java.util.concurrent.ForkJoinWorkerThread;
import java.util.stream.IntStream;

/**
 * Flash attention in plain Java, multi-threaded: the same algorithm as the OpenCL kernel
 * ({@link FlashAttentionKernel}), for machines without OpenCL. Float accumulators, no Lq x Lk
 * matrix (the largest temporary is one tile of {@link #TILE} scores per row).
 *
 * <p>Work items, spread over a shared {@link ForkJoinPool}:
 * <pre>
 *   forward, dQ pass   (b, h, query tile of TILE rows)   streams K, V tiles
 *   dK/dV pass         (b, h, key tile of TILE rows)     streams Q, dO tiles
 * </pre>
 * The streamed tile is copied transposed ([Dh, TILE]) so that the score loop is an axpy over the
 * tile's rows ({@code s[j] += q[d] * kT[d][j]}), which C2 vectorizes; the output loops are axpys
 * over Dh ({@code acc[d] += p * v[j][d]}). Dot-product reductions, which C2 does not vectorize for
 * floats, are avoided.
 *
 * <p>Backward, FlashAttention-2 style: D_i = rowsum(dO_i * O_i) first; dQ by a pass over query
 * tiles with an inner loop over keys; dK and dV by a pass over key tiles with an inner loop over
 * queries. Each output element has one writer, so there are no atomics and no reductions across
 * threads.
 */
public final class JavaFlashAttention implements AttentionKernel {
    /** Rows per tile; a tile of 64 x 128 floats (32 KiB) stays in L1/L2. */
    static final int TILE = 64;

    private static volatile ForkJoinPool sharedPool;

    private final ForkJoinPool pool;

    /** Runs on a pool of one thread per available processor, shared by all instances. */
    public JavaFlashAttention() {
        this(shared());
    }

    /** Runs on the given pool (a Spark task may pass a pool sized to its spark.task.cpus). */
    public JavaFlashAttention(ForkJoinPool pool) {
        if (pool == null) {
            throw new IllegalArgumentException("pool is null");
        }
        this.pool = pool;
    }

    private static ForkJoinPool shared() {
        ForkJoinPool p = sharedPool;
        if (p == null) {
            synchronized (JavaFlashAttention.class) {
                p = sharedPool;
                if (p == null) {
                    p = new ForkJoinPool(Runtime.getRuntime().availableProcessors(), pool -> {
                        ForkJoinWorkerThread t = ForkJoinPool.defaultForkJoinWorkerThreadFactory.newThread(pool);
                        t.setDaemon(true);
                        t.setName("bragg-attention-" + t.getPoolIndex());
                        return t;
                    }, null, false);
                    sharedPool = p;
                }
            }
        }
        return p;
    }

    @Override
    public String backend() {
        return "java (" + pool.getParallelism() + " threads, tile=" + TILE + ")";
    }

    /** Runs body(0..n-1) on the pool and waits; work items write disjoint outputs. */
    private void parallel(int n, java.util.function.IntConsumer body) {
        if (n == 1) {
            body.accept(0);
            return;
        }
        pool.submit(() -> IntStream.range(0, n).parallel().forEach(body)).join();
    }

    private static int tiles(int rows) {
        return (rows + TILE - 1) / TILE;
    }

    /** Keys that query i of batch item b may see: padding, then causal. */
    private static int keyEnd(AttentionShape s, int b, int i) {
        int end = s.validKeys(b);
        return s.causal ? Math.min(end, i + 1) : end;
    }

    /** Copies rows [r0, r0+n) of a [*, Dh] block at base into dst [Dh, TILE] (transposed). */
    private static void transpose(float[] src, int base, int r0, int n, int dh, float[] dst) {
        for (int r = 0; r < n; r++) {
            int from = base + (r0 + r) * dh;
            for (int d = 0; d < dh; d++) {
                dst[d * TILE + r] = src[from + d];
            }
        }
    }

    // ------------------------------------------------------------------ forward

    @Override
    public void forward(AttentionShape s, float[] q, float[] k, float[] v, float[] out, float[] lse) {
        AttentionKernel.checkForward(s, q, k, v, out, lse);
        int qTiles = tiles(s.queryLength);
        parallel(s.batch * s.heads * qTiles, item -> forwardTile(s, item / qTiles, item % qTiles, q, k, v, out, lse));
    }

    /** One (bh, query tile): online softmax over key tiles; out doubles as the accumulator. */
    private static void forwardTile(AttentionShape s, int bh, int qt, float[] q, float[] k, float[] v,
                                    float[] out, float[] lse) {
        final int lq = s.queryLength, lk = s.keyLength, dh = s.headDim;
        final int b = bh / s.heads;
        final float scale = s.scale;
        final int i0 = qt * TILE, rows = Math.min(TILE, lq - i0);
        final int qBase = bh * lq * dh, kBase = bh * lk * dh;
        final float[] kT = new float[dh * TILE];  // [Dh, TILE] the current key tile, transposed
        final float[] sc = new float[TILE];       // [TILE] one row's scores against the tile
        final float[] m = new float[rows];        // [rows] running max
        final float[] l = new float[rows];        // [rows] running sum of exp(score - m)
        java.util.Arrays.fill(m, Float.NEGATIVE_INFINITY);
        java.util.Arrays.fill(out, qBase + i0 * dh, qBase + (i0 + rows) * dh, 0f);
        final int groupEnd = keyEnd(s, b, i0 + rows - 1);
        for (int k0 = 0; k0 < groupEnd; k0 += TILE) {
            int n = Math.min(TILE, groupEnd - k0);
            transpose(k, kBase, k0, n, dh, kT);
            for (int r = 0; r < rows; r++) {
                int i = i0 + r;
                int jn = Math.min(n, keyEnd(s, b, i) - k0);
                if (jn <= 0) {
                    continue;
                }
                int qRow = qBase + i * dh;
                java.util.Arrays.fill(sc, 0, jn, 0f);
                for (int d = 0; d < dh; d++) {
                    float qd = q[qRow + d] * scale;
                    int kd = d * TILE;
                    for (int j = 0; j < jn; j++) {
                        sc[j] += qd * kT[kd + j];
                    }
                }
                float tileMax = Float.NEGATIVE_INFINITY;
                for (int j = 0; j < jn; j++) {
                    tileMax = Math.max(tileMax, sc[j]);
                }
                float mNew = Math.max(m[r], tileMax);
                if (mNew > m[r]) {
                    float corr = (float) Math.exp(m[r] - mNew); // 0 on the first visible tile
                    l[r] *= corr;
                    for (int d = 0; d < dh; d++) {
                        out[qRow + d] *= corr;
                    }
                    m[r] = mNew;
                }
                float sum = 0f;
                for (int j = 0; j < jn; j++) {
                    float p = (float) Math.exp(sc[j] - mNew);
                    sum += p;
                    int vRow = kBase + (k0 + j) * dh;
                    for (int d = 0; d < dh; d++) {
                        out[qRow + d] += p * v[vRow + d];
                    }
                }
                l[r] += sum;
            }
        }
        for (int r = 0; r < rows; r++) {
            int qRow = qBase + (i0 + r) * dh;
            if (l[r] > 0f) {
                float inv = 1f / l[r];
                for (int d = 0; d < dh; d++) {
                    out[qRow + d] *= inv;
                }
                lse[bh * lq + i0 + r] = m[r] + (float) Math.log(l[r]);
            } else { // fully masked row: out stays 0
                lse[bh * lq + i0 + r] = Float.NEGATIVE_INFINITY;
            }
        }
    }

    // ------------------------------------------------------------------ backward

    @Override
    public void backward(AttentionShape s, float[] q, float[] k, float[] v, float[] out, float[] lse, float[] dOut,
                         float[] dq, float[] dk, float[] dv) {
        AttentionKernel.checkBackward(s, q, k, v, out, lse, dOut, dq, dk, dv);
        final int dh = s.headDim;
        final float[] dRow = new float[s.rows()]; // [B, H, Lq] D_i = rowsum(dO * O)
        for (int row = 0; row < dRow.length; row++) {
            float acc = 0f;
            int base = row * dh;
            for (int d = 0; d < dh; d++) {
                acc += dOut[base + d] * out[base + d];
            }
            dRow[row] = acc;
        }
        int qTiles = tiles(s.queryLength), kTiles = tiles(s.keyLength);
        parallel(s.batch * s.heads * qTiles,
                item -> dqTile(s, item / qTiles, item % qTiles, q, k, v, lse, dOut, dRow, dq));
        parallel(s.batch * s.heads * kTiles,
                item -> dkdvTile(s, item / kTiles, item % kTiles, q, k, v, lse, dOut, dRow, dk, dv));
    }

    /** dq_i = scale * sum_j P_ij (dO_i . v_j - D_i) k_j for one (bh, query tile). */
    private static void dqTile(AttentionShape s, int bh, int qt, float[] q, float[] k, float[] v, float[] lse,
                               float[] dOut, float[] dRow, float[] dq) {
        final int lq = s.queryLength, lk = s.keyLength, dh = s.headDim;
        final int b = bh / s.heads;
        final float scale = s.scale;
        final int i0 = qt * TILE, rows = Math.min(TILE, lq - i0);
        final int qBase = bh * lq * dh, kBase = bh * lk * dh;
        final float[] kT = new float[dh * TILE]; // [Dh, TILE]
        final float[] vT = new float[dh * TILE]; // [Dh, TILE]
        final float[] sc = new float[TILE];      // [TILE] scores, then dS
        final float[] dp = new float[TILE];      // [TILE] dO_i . v_j
        java.util.Arrays.fill(dq, qBase + i0 * dh, qBase + (i0 + rows) * dh, 0f);
        final int groupEnd = keyEnd(s, b, i0 + rows - 1);
        for (int k0 = 0; k0 < groupEnd; k0 += TILE) {
            int n = Math.min(TILE, groupEnd - k0);
            transpose(k, kBase, k0, n, dh, kT);
            transpose(v, kBase, k0, n, dh, vT);
            for (int r = 0; r < rows; r++) {
                int i = i0 + r;
                float rowLse = lse[bh * lq + i];
                int jn = Math.min(n, keyEnd(s, b, i) - k0);
                if (jn <= 0 || rowLse == Float.NEGATIVE_INFINITY) {
                    continue;
                }
                int qRow = qBase + i * dh;
                java.util.Arrays.fill(sc, 0, jn, 0f);
                java.util.Arrays.fill(dp, 0, jn, 0f);
                for (int d = 0; d < dh; d++) {
                    float qd = q[qRow + d] * scale;
                    float od = dOut[qRow + d];
                    int td = d * TILE;
                    for (int j = 0; j < jn; j++) {
                        sc[j] += qd * kT[td + j];
                        dp[j] += od * vT[td + j];
                    }
                }
                float di = dRow[bh * lq + i];
                for (int j = 0; j < jn; j++) {
                    sc[j] = (float) Math.exp(sc[j] - rowLse) * (dp[j] - di);
                }
                for (int j = 0; j < jn; j++) {
                    float ds = sc[j] * scale;
                    int kRow = kBase + (k0 + j) * dh;
                    for (int d = 0; d < dh; d++) {
                        dq[qRow + d] += ds * k[kRow + d];
                    }
                }
            }
        }
    }

    /** dv_j = sum_i P_ij dO_i and dk_j = scale * sum_i dS_ij q_i for one (bh, key tile). */
    private static void dkdvTile(AttentionShape s, int bh, int kt, float[] q, float[] k, float[] v, float[] lse,
                                 float[] dOut, float[] dRow, float[] dk, float[] dv) {
        final int lq = s.queryLength, lk = s.keyLength, dh = s.headDim;
        final int b = bh / s.heads;
        final float scale = s.scale;
        final int j0 = kt * TILE, cols = Math.min(TILE, lk - j0);
        final int qBase = bh * lq * dh, kBase = bh * lk * dh;
        final float[] qT = new float[dh * TILE]; // [Dh, TILE] query tile, transposed
        final float[] oT = new float[dh * TILE]; // [Dh, TILE] dO tile, transposed
        final float[] p = new float[TILE];       // [TILE] P_ij over the tile's queries
        final float[] dp = new float[TILE];      // [TILE] v_j . dO_i, then dS_ij
        java.util.Arrays.fill(dk, kBase + j0 * dh, kBase + (j0 + cols) * dh, 0f);
        java.util.Arrays.fill(dv, kBase + j0 * dh, kBase + (j0 + cols) * dh, 0f);
        final int valid = Math.min(s.validKeys(b), j0 + cols); // keys of this tile that are not padding
        if (valid <= j0) {
            return; // all padding: zero gradients
        }
        // causal: query i sees key j only when i >= j, so queries before j0 contribute nothing
        final int iStartTile = s.causal ? j0 : 0;
        for (int i0 = iStartTile; i0 < lq; i0 += TILE) {
            int n = Math.min(TILE, lq - i0);
            transpose(q, qBase, i0, n, dh, qT);
            transpose(dOut, qBase, i0, n, dh, oT);
            for (int j = j0; j < valid; j++) {
                int first = s.causal ? Math.max(0, j - i0) : 0; // first query of the tile that sees j
                if (first >= n) {
                    continue;
                }
                int kRow = kBase + j * dh;
                java.util.Arrays.fill(p, first, n, 0f);
                java.util.Arrays.fill(dp, first, n, 0f);
                for (int d = 0; d < dh; d++) {
                    float kd = k[kRow + d] * scale;
                    float vd = v[kRow + d];
                    int td = d * TILE;
                    for (int ii = first; ii < n; ii++) {
                        p[ii] += kd * qT[td + ii];
                        dp[ii] += vd * oT[td + ii];
                    }
                }
                int rowBase = bh * lq + i0;
                for (int ii = first; ii < n; ii++) {
                    float rowLse = lse[rowBase + ii];
                    // a fully masked query row (lse = -inf) has P = 0, not exp(-inf + inf) = NaN
                    float pij = rowLse == Float.NEGATIVE_INFINITY ? 0f : (float) Math.exp(p[ii] - rowLse);
                    p[ii] = pij;
                    dp[ii] = pij * (dp[ii] - dRow[rowBase + ii]);
                }
                for (int ii = first; ii < n; ii++) {
                    float pij = p[ii];
                    float ds = dp[ii] * scale;
                    int qRow = qBase + (i0 + ii) * dh;
                    for (int d = 0; d < dh; d++) {
                        dv[kRow + d] += pij * dOut[qRow + d];
                        dk[kRow + d] += ds * q[qRow + d];
                    }
                }
            }
        }
    }

    @Override
    public void close() {
        // the pool is shared or owned by the caller
    }
}
