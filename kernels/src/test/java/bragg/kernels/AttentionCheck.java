package bragg.kernels;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import java.util.Arrays;
import java.util.List;
import java.util.SplittableRandom;

/**
 * Checks a kernel against {@link ReferenceAttention} on one shape: fresh random inputs (the seed is
 * in every failure message), outputs poisoned with NaN before each run so that an element the kernel
 * forgets to write fails.
 *
 * <p>Error norm, per output tensor: max_i |kernel_i - ref_i| / max(1e-6, max_i |ref_i|), the
 * max-norm relative error of the whole tensor (per-element relative error is meaningless for
 * elements near zero, which attention outputs have plenty of). Bound: {@link #TOLERANCE}.
 * A gradient that vanishes in exact arithmetic (dq and dk with a single visible key: softmax over
 * one key is constant) is, in float, rounding noise of dP - D, terms the size of the other
 * gradients; so the gradients' denominator is floored at {@link #VANISHING} times the largest
 * reference gradient of the call.
 * lse must match the reference's -Infinity exactly on fully masked rows; its finite entries use
 * the same norm. No output may be NaN.
 */
final class AttentionCheck {
    static final double TOLERANCE = 1e-4;
    /** Floor of a gradient's error denominator, relative to the call's largest reference gradient. */
    static final double VANISHING = 1e-2;

    /** The sweep: chosen cases rather than a cartesian product, each covering several edges. */
    static List<AttentionShape> sweep() {
        return List.of(
                // everything 1
                AttentionShape.builder().batch(1).heads(1).queryLength(1).keyLength(1).headDim(16).build(),
                // causal self-attention, L one past the 64 tile, several (b, h)
                AttentionShape.builder().batch(2).heads(3).queryLength(65).keyLength(65).headDim(64).causal(true)
                        .build(),
                // cross-attention, short queries, Lk not a multiple of 32 or 64
                AttentionShape.builder().batch(1).heads(2).queryLength(7).keyLength(130).headDim(32).build(),
                // Dh = 128 with key padding, including a fully masked batch item (keyLengths 0)
                AttentionShape.builder().batch(3).heads(1).queryLength(33).keyLength(97).headDim(128)
                        .keyLengths(new int[] {97, 0, 50}).build(),
                // causal and padding together, odd L across three tiles, Dh = 16
                AttentionShape.builder().batch(2).heads(2).queryLength(129).keyLength(129).headDim(16).causal(true)
                        .keyLengths(new int[] {1, 70}).build(),
                // many queries, one key
                AttentionShape.builder().batch(1).heads(1).queryLength(200).keyLength(1).headDim(32).build(),
                // causal, Dh = 128, exactly one tile, a fully masked item first
                AttentionShape.builder().batch(2).heads(1).queryLength(64).keyLength(64).headDim(128).causal(true)
                        .keyLengths(new int[] {0, 64}).build(),
                // one query against many keys, padding mid-tile, non-default scale
                AttentionShape.builder().batch(1).heads(4).queryLength(1).keyLength(257).headDim(64)
                        .keyLengths(new int[] {200}).scale(0.3f).build(),
                // Dh = 7: not a multiple of 4 or of a SIMD vector; cross-attention with padding
                AttentionShape.builder().batch(3).heads(2).queryLength(5).keyLength(67).headDim(7)
                        .keyLengths(new int[] {0, 67, 3}).build(),
                // Dh = 24, causal, L = 100 (a tile and a part)
                AttentionShape.builder().batch(1).heads(2).queryLength(100).keyLength(100).headDim(24).causal(true)
                        .build(),
                // four batch items one below the tile, causal, fully masked and single-key items
                AttentionShape.builder().batch(4).heads(1).queryLength(63).keyLength(63).headDim(64).causal(true)
                        .keyLengths(new int[] {63, 0, 1, 31}).build(),
                // more queries than keys, a fully masked item, Dh = 32
                AttentionShape.builder().batch(2).heads(1).queryLength(130).keyLength(3).headDim(32)
                        .keyLengths(new int[] {3, 0}).build(),
                // Dh = 128, causal, L = 1
                AttentionShape.builder().batch(2).heads(2).queryLength(1).keyLength(1).headDim(128).causal(true)
                        .build(),
                // Lq one past the tile, Lk exactly one tile, odd H, Dh = 16
                AttentionShape.builder().batch(1).heads(5).queryLength(65).keyLength(64).headDim(16).build(),
                // Dh = 32 self-attention over three tiles and a part, no mask
                AttentionShape.builder().batch(1).heads(1).queryLength(200).keyLength(200).headDim(32).build(),
                // Dh = 128 cross-attention, padding inside the second key tile
                AttentionShape.builder().batch(2).heads(1).queryLength(19).keyLength(150).headDim(128)
                        .keyLengths(new int[] {150, 77}).build());
    }

    /** Inputs of one run, from a seed. */
    static final class Inputs {
        final long seed;
        final float[] q, k, v, dOut;

        Inputs(AttentionShape s, long seed) {
            this.seed = seed;
            SplittableRandom r = new SplittableRandom(seed);
            q = gaussian(r, s.queryElements());
            k = gaussian(r, s.keyElements());
            v = gaussian(r, s.keyElements());
            dOut = gaussian(r, s.queryElements());
        }

        private static float[] gaussian(SplittableRandom r, int n) {
            float[] a = new float[n];
            for (int i = 0; i < n; i++) {
                // Box-Muller; scale 1.5 so that softmax rows are neither flat nor one-hot
                double u = 1 - r.nextDouble(), w = r.nextDouble();
                a[i] = (float) (1.5 * Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * w));
            }
            return a;
        }
    }

    static float[] poisoned(int n) {
        float[] a = new float[n];
        Arrays.fill(a, Float.NaN);
        return a;
    }

    /** Runs forward and backward of {@code kernel} and the reference on fresh inputs and compares. */
    static void check(AttentionKernel kernel, AttentionShape s, long seed) {
        check(kernel, s, new Inputs(s, seed));
    }

    static void check(AttentionKernel kernel, AttentionShape s, Inputs in) {
        String where = kernel.backend() + " on " + s + " seed=" + in.seed;

        // reference in double, from the same float inputs
        ReferenceAttention ref = new ReferenceAttention();
        double[] q = ReferenceAttention.toDouble(in.q), k = ReferenceAttention.toDouble(in.k);
        double[] v = ReferenceAttention.toDouble(in.v), dOut = ReferenceAttention.toDouble(in.dOut);
        double[] refOut = new double[s.queryElements()], refLse = new double[s.rows()];
        double[] refDq = new double[s.queryElements()], refDk = new double[s.keyElements()];
        double[] refDv = new double[s.keyElements()];
        ref.forward(s, q, k, v, refOut, refLse);
        ref.backward(s, q, k, v, dOut, refDq, refDk, refDv);

        float[] out = poisoned(s.queryElements()), lse = poisoned(s.rows());
        kernel.forward(s, in.q, in.k, in.v, out, lse);
        assertClose("out", refOut, out, 0, where);
        assertLse(refLse, lse, where);

        float[] dq = poisoned(s.queryElements()), dk = poisoned(s.keyElements()), dv = poisoned(s.keyElements());
        kernel.backward(s, in.q, in.k, in.v, out, lse, in.dOut, dq, dk, dv);
        double gradScale = VANISHING * Math.max(maxAbs(refDq), Math.max(maxAbs(refDk), maxAbs(refDv)));
        assertClose("dq", refDq, dq, gradScale, where);
        assertClose("dk", refDk, dk, gradScale, where);
        assertClose("dv", refDv, dv, gradScale, where);
        assertMaskedRowsZero(s, out, dq, dk, dv, where);
    }

    static double maxAbs(double[] a) {
        double m = 0;
        for (double x : a) {
            m = Math.max(m, Math.abs(x));
        }
        return m;
    }

    /** max|a - ref| / max(1e-6, floor, max|ref|) below TOLERANCE, and no NaN anywhere. */
    static void assertClose(String name, double[] ref, float[] got, double floor, String where) {
        double maxRef = 0, maxDiff = 0;
        int worst = -1;
        for (int i = 0; i < ref.length; i++) {
            if (Float.isNaN(got[i]) || Float.isInfinite(got[i])) {
                fail(name + "[" + i + "] = " + got[i] + " (not written or not finite); reference " + ref[i]
                        + "; " + where);
            }
            maxRef = Math.max(maxRef, Math.abs(ref[i]));
            double diff = Math.abs(got[i] - ref[i]);
            if (diff > maxDiff) {
                maxDiff = diff;
                worst = i;
            }
        }
        double rel = maxDiff / Math.max(Math.max(1e-6, floor), maxRef);
        int at = worst;
        double diff = maxDiff, top = maxRef;
        assertTrue(rel < TOLERANCE, () -> name + ": relative error " + rel + " >= " + TOLERANCE + " (max |diff| "
                + diff + " at index " + at + ", max |ref| " + top + "); " + where);
    }

    static void assertLse(double[] ref, float[] got, String where) {
        double maxRef = 0, maxDiff = 0;
        for (int i = 0; i < ref.length; i++) {
            if (ref[i] == Double.NEGATIVE_INFINITY) {
                assertEquals(Float.NEGATIVE_INFINITY, got[i], "lse[" + i + "] of a fully masked row; " + where);
                continue;
            }
            if (!Float.isFinite(got[i])) {
                fail("lse[" + i + "] = " + got[i] + "; reference " + ref[i] + "; " + where);
            }
            maxRef = Math.max(maxRef, Math.abs(ref[i]));
            maxDiff = Math.max(maxDiff, Math.abs(got[i] - ref[i]));
        }
        double rel = maxDiff / Math.max(1e-6, maxRef);
        assertTrue(rel < TOLERANCE, () -> "lse: relative error " + rel + " >= " + TOLERANCE + "; " + where);
    }

    /** The definition of a fully masked row: zero output, zero dq; padded keys get zero dk and dv. */
    static void assertMaskedRowsZero(AttentionShape s, float[] out, float[] dq, float[] dk, float[] dv,
                                     String where) {
        int dh = s.headDim;
        for (int b = 0; b < s.batch; b++) {
            for (int h = 0; h < s.heads; h++) {
                int bh = b * s.heads + h;
                for (int j = s.validKeys(b); j < s.keyLength; j++) {
                    for (int d = 0; d < dh; d++) {
                        int at = (bh * s.keyLength + j) * dh + d;
                        assertEquals(0f, dk[at], "dk of padded key " + j + " (b=" + b + "); " + where);
                        assertEquals(0f, dv[at], "dv of padded key " + j + " (b=" + b + "); " + where);
                    }
                }
                if (s.validKeys(b) == 0) {
                    for (int i = 0; i < s.queryLength; i++) {
                        for (int d = 0; d < dh; d++) {
                            int at = (bh * s.queryLength + i) * dh + d;
                            assertEquals(0f, out[at], "out of fully masked row " + i + " (b=" + b + "); " + where);
                            assertEquals(0f, dq[at], "dq of fully masked row " + i + " (b=" + b + "); " + where);
                        }
                    }
                }
            }
        }
    }

    private AttentionCheck() {
    }
}
