package bragg.worker.collective;

/**
 * bfloat16 on the wire: the upper 16 bits of a float32 (sign, the 8 exponent bits, 7 mantissa
 * bits), rounded to nearest even, so its range is float32's and only precision is lost.
 */
final class Bf16 {
    private Bf16() {
    }

    /** float32 to bf16, round to nearest even; NaN stays a (quiet) NaN, overflow goes to infinity. */
    static short encode(float f) {
        int b = Float.floatToRawIntBits(f);
        if ((b & 0x7fffffff) > 0x7f800000) {
            return (short) ((b >>> 16) | 0x40);
        }
        return (short) ((b + 0x7fff + ((b >>> 16) & 1)) >>> 16);
    }

    static float decode(short h) {
        return Float.intBitsToFloat((h & 0xffff) << 16);
    }

    /** The float32 that {@code f} becomes after a trip through bf16. */
    static float round(float f) {
        return decode(encode(f));
    }
}
