package bragg.kernels;

/**
 * exp(x) in float for x <= 0 at about a third of {@link Math#exp}'s cost, for the softmax of
 * {@link JavaFlashAttention} (one exp per score: with Math.exp it took more time than all the
 * multiply-adds). Relative error below 3e-7 for x in [-87, 0] (checked by FastExpTest); x below
 * -87.3 (and -Infinity) gives about 1.2e-38 instead of a subnormal or 0, an absolute error no
 * softmax can see.
 *
 * <p>Method: x = n ln2 + r with n = round(x / ln2) (the 1.5 * 2^23 trick: adding it rounds to
 * an integer held in the low mantissa bits) and |r| <= ln2/2 by a two-constant Cody-Waite
 * reduction; exp(r) by its degree-6 Taylor polynomial in Horner form with fused multiply-adds;
 * 2^n assembled in the exponent bits.
 */
final class FastExp {
    static final float ROUND = 12582912f;        // 1.5 * 2^23
    static final float LOG2E = 1.44269504f;
    static final float LN2_HI = 0.693145752f;    // ln2 split so that n * LN2_HI is exact
    static final float LN2_LO = 1.42860677e-6f;
    static final float MIN_X = -87.3f;           // exp(-87.3) is still a normal float

    private FastExp() {
    }

    static float exp(float x) {
        float v = Math.max(x, MIN_X);
        float t = Math.fma(v, LOG2E, ROUND);
        float n = t - ROUND;
        float r = Math.fma(n, -LN2_HI, v);
        r = Math.fma(n, -LN2_LO, r);
        float p = Math.fma(1f / 720f, r, 1f / 120f);
        p = Math.fma(p, r, 1f / 24f);
        p = Math.fma(p, r, 1f / 6f);
        p = Math.fma(p, r, 0.5f);
        p = Math.fma(p, r, 1f);
        p = Math.fma(p, r, 1f);
        // the low bits of t hold n (two's complement for negative n); shifting into the exponent
        // field drops the rest of t's bits
        return p * Float.intBitsToFloat((Float.floatToRawIntBits(t) + 127) << 23);
    }
}
