package bragg.kernels;

/**
 * Scaled dot-product attention, forward and backward, on float32 buffers laid out as
 * {@link AttentionShape} documents. Implementations never materialize an Lq x Lk matrix
 * (except {@link ReferenceAttention}, which exists to check the others).
 *
 * <p>Implementations are not thread-safe: one kernel per thread (a replica owns one).
 */
public interface AttentionKernel extends AutoCloseable {

    /** Which backend and device run this kernel, for logs and benchmark output. */
    String backend();

    /**
     * out = softmax(scale * q k^T + mask) v, and lse = the row-wise logsumexp of the
     * scaled masked scores, kept for {@link #backward}.
     *
     * @param q   [B, H, Lq, Dh] queries
     * @param k   [B, H, Lk, Dh] keys
     * @param v   [B, H, Lk, Dh] values
     * @param out [B, H, Lq, Dh] written
     * @param lse [B, H, Lq] written
     */
    void forward(AttentionShape s, float[] q, float[] k, float[] v, float[] out, float[] lse);

    /**
     * Gradients of the loss with respect to q, k and v, from dOut, recomputing the scores
     * from q, k and the saved lse (FlashAttention-2 style).
     *
     * @param out  [B, H, Lq, Dh] the forward's output
     * @param lse  [B, H, Lq] the forward's logsumexp
     * @param dOut [B, H, Lq, Dh] gradient of the loss with respect to out
     * @param dq   [B, H, Lq, Dh] written (overwritten, not accumulated)
     * @param dk   [B, H, Lk, Dh] written
     * @param dv   [B, H, Lk, Dh] written
     */
    void backward(AttentionShape s, float[] q, float[] k, float[] v, float[] out, float[] lse, float[] dOut,
                  float[] dq, float[] dk, float[] dv);

    /** Releases device buffers; the kernel is unusable afterwards. */
    @Override
    void close();

    /** Checks every buffer's length against the shape; each implementation calls it first. */
    static void checkForward(AttentionShape s, float[] q, float[] k, float[] v, float[] out, float[] lse) {
        s.requireLength("q", q, s.queryElements());
        s.requireLength("k", k, s.keyElements());
        s.requireLength("v", v, s.keyElements());
        s.requireLength("out", out, s.queryElements());
        s.requireLength("lse", lse, s.rows());
    }

    /** Checks every buffer's length against the shape for {@link #backward}. */
    static void checkBackward(AttentionShape s, float[] q, float[] k, float[] v, float[] out, float[] lse,
                              float[] dOut, float[] dq, float[] dk, float[] dv) {
        checkForward(s, q, k, v, out, lse);
        s.requireLength("dOut", dOut, s.queryElements());
        s.requireLength("dq", dq, s.queryElements());
        s.requireLength("dk", dk, s.keyElements());
        s.requireLength("dv", dv, s.keyElements());
    }
}
