package bragg.kernels;

import java.util.Arrays;

/**
 * The sizes and masks of one attention call, validated once.
 *
 * <p>Legend (llm.c style), used in every shape comment of this module:
 * <pre>
 *   B  batch items            H  heads
 *   Lq query length           Lk key/value length (Lq == Lk for self-attention)
 *   Dh head dimension         scale  multiplies q.k (default 1/sqrt(Dh))
 * </pre>
 * Buffers are float32, row-major, contiguous:
 * <pre>
 *   q, dq        [B, H, Lq, Dh]
 *   k, v, dk, dv [B, H, Lk, Dh]
 *   out, dOut    [B, H, Lq, Dh]
 *   lse          [B, H, Lq]      logsumexp of each query's scaled, masked scores
 * </pre>
 * Masks: {@code causal} lets query i see keys j <= i (only when Lq == Lk);
 * {@code keyLengths[b]} lets batch item b see keys j < keyLengths[b] (key padding).
 * A query that sees no key at all (keyLengths[b] == 0) is defined to have a zero
 * output, {@code lse = -Infinity}, and zero gradients: never NaN.
 */
public final class AttentionShape {
    /** Largest head dimension the kernels support (their local-memory tiles are sized by it). */
    public static final int MAX_HEAD_DIM = 128;

    public final int batch;
    public final int heads;
    public final int queryLength;
    public final int keyLength;
    public final int headDim;
    public final boolean causal;
    public final float scale;
    private final int[] keyLengths; // [B] or null (no padding)

    private AttentionShape(Builder b) {
        this.batch = b.batch;
        this.heads = b.heads;
        this.queryLength = b.queryLength;
        this.keyLength = b.keyLength;
        this.headDim = b.headDim;
        this.causal = b.causal;
        this.scale = Float.isNaN(b.scale) ? (float) (1.0 / Math.sqrt(b.headDim)) : b.scale;
        this.keyLengths = b.keyLengths == null ? null : b.keyLengths.clone();
        validate();
    }

    public static Builder builder() {
        return new Builder();
    }

    /** Self-attention of {@code length} tokens. */
    public static AttentionShape self(int batch, int heads, int length, int headDim) {
        return builder().batch(batch).heads(heads).queryLength(length).keyLength(length).headDim(headDim).build();
    }

    /** Number of keys batch item b may attend to (before the causal mask). */
    public int validKeys(int b) {
        return keyLengths == null ? keyLength : keyLengths[b];
    }

    /** A copy of the per-item key lengths, or null when there is no padding mask. */
    public int[] keyLengths() {
        return keyLengths == null ? null : keyLengths.clone();
    }

    public boolean hasKeyPadding() {
        return keyLengths != null;
    }

    /** Elements of q, dq, out and dOut: B*H*Lq*Dh. */
    public int queryElements() {
        return Math.multiplyExact(Math.multiplyExact(batch * heads, queryLength), headDim);
    }

    /** Elements of k, v, dk and dv: B*H*Lk*Dh. */
    public int keyElements() {
        return Math.multiplyExact(Math.multiplyExact(batch * heads, keyLength), headDim);
    }

    /** Elements of lse: B*H*Lq. */
    public int rows() {
        return Math.multiplyExact(batch * heads, queryLength);
    }

    /** Forward FLOPs by FlashAttention's convention, 4*B*H*Lq*Lk*Dh (masks ignored). */
    public double forwardFlops() {
        return 4.0 * batch * heads * (double) queryLength * keyLength * headDim;
    }

    /** Backward FLOPs by FlashAttention's convention: 2.5 times the forward. */
    public double backwardFlops() {
        return 2.5 * forwardFlops();
    }

    /** Checks that a buffer has exactly the elements this shape needs; names it in the error. */
    public void requireLength(String name, float[] buffer, int expected) {
        if (buffer == null) {
            throw new IllegalArgumentException(name + " is null; expected float[" + expected + "] for " + this);
        }
        if (buffer.length != expected) {
            throw new IllegalArgumentException(name + " has " + buffer.length + " elements; expected " + expected
                    + " for " + this);
        }
    }

    private void validate() {
        positive("batch (B)", batch);
        positive("heads (H)", heads);
        positive("queryLength (Lq)", queryLength);
        positive("keyLength (Lk)", keyLength);
        positive("headDim (Dh)", headDim);
        if (headDim > MAX_HEAD_DIM) {
            throw new IllegalArgumentException("headDim (Dh) = " + headDim + " is above the kernels' maximum of "
                    + MAX_HEAD_DIM + "; use more heads of a smaller dimension");
        }
        if (causal && queryLength != keyLength) {
            throw new IllegalArgumentException("causal mask needs queryLength == keyLength; found Lq = " + queryLength
                    + ", Lk = " + keyLength);
        }
        if (!(scale > 0) || Float.isInfinite(scale)) {
            throw new IllegalArgumentException("scale must be a positive finite number; found " + scale);
        }
        if (keyLengths != null) {
            if (keyLengths.length != batch) {
                throw new IllegalArgumentException("keyLengths has " + keyLengths.length
                        + " entries; expected one per batch item (B = " + batch + ")");
            }
            for (int b = 0; b < batch; b++) {
                if (keyLengths[b] < 0 || keyLengths[b] > keyLength) {
                    throw new IllegalArgumentException("keyLengths[" + b + "] = " + keyLengths[b]
                            + " is outside [0, Lk = " + keyLength + "]");
                }
            }
        }
        // int indexing of float[] buffers
        queryElements();
        keyElements();
    }

    private static void positive(String name, int value) {
        if (value <= 0) {
            throw new IllegalArgumentException(name + " must be >= 1; found " + value);
        }
    }

    @Override
    public String toString() {
        return "AttentionShape[B=" + batch + ", H=" + heads + ", Lq=" + queryLength + ", Lk=" + keyLength + ", Dh="
                + headDim + ", causal=" + causal + ", scale=" + scale
                + (keyLengths == null ? "" : ", keyLengths=" + Arrays.toString(keyLengths)) + "]";
    }

    /** Builder; unset scale means 1/sqrt(Dh). */
    public static final class Builder {
        private int batch = 1;
        private int heads = 1;
        private int queryLength;
        private int keyLength;
        private int headDim;
        private boolean causal;
        private float scale = Float.NaN;
        private int[] keyLengths;

        public Builder batch(int v) { batch = v; return this; }
        public Builder heads(int v) { heads = v; return this; }
        public Builder queryLength(int v) { queryLength = v; return this; }
        public Builder keyLength(int v) { keyLength = v; return this; }
        public Builder headDim(int v) { headDim = v; return this; }
        public Builder causal(boolean v) { causal = v; return this; }
        public Builder scale(float v) { scale = v; return this; }
        /** Valid key count per batch item, or null for none. */
        public Builder keyLengths(int[] v) { keyLengths = v == null ? null : v.clone(); return this; }

        public AttentionShape build() {
            return new AttentionShape(this);
        }
    }
}
