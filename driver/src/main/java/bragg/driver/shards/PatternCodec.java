package bragg.driver.shards;

import bragg.driver.io.DType;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;

/**
 * Pattern bytes of the Shards contract: float32 or IEEE float16, little-endian, row-major.
 * Float16 conversion rounds to nearest even and keeps Inf/NaN (Java 17 has no
 * Float.floatToFloat16, which came in Java 20).
 */
public final class PatternCodec {
    private PatternCodec() {
    }

    public static byte[] encode(float[] v, int off, int n, String dtype) {
        byte[] out = new byte[n * bytesPerValue(dtype)];
        encodeInto(v, off, n, dtype, out);
        return out;
    }

    /** Encodes v[off .. off + n) into out[0 ..) (reused row after row); returns the bytes written. */
    public static int encodeInto(float[] v, int off, int n, String dtype, byte[] out) {
        ByteBuffer b = ByteBuffer.wrap(out).order(ByteOrder.LITTLE_ENDIAN);
        if ("float16".equals(dtype)) for (int i = 0; i < n; i++) b.putShort(toHalf(v[off + i]));
        else b.asFloatBuffer().put(v, off, n);     // one bulk copy (a memcpy on little-endian machines)
        return n * bytesPerValue(dtype);
    }

    /** Bytes per pattern element: 2 for float16, 4 for float32. */
    public static int bytesPerValue(String dtype) {
        return "float16".equals(dtype) ? 2 : 4;
    }

    public static float[] decode(byte[] bytes, String dtype) {
        ByteBuffer b = ByteBuffer.wrap(bytes).order(ByteOrder.LITTLE_ENDIAN);
        boolean half = "float16".equals(dtype);
        float[] out = new float[bytes.length / (half ? 2 : 4)];
        for (int i = 0; i < out.length; i++) out[i] = half ? fromHalf(b.getShort()) : b.getFloat();
        return out;
    }

    /** float -> IEEE 754 binary16 bits, round to nearest even. */
    public static short toHalf(float f) {
        int x = Float.floatToRawIntBits(f);
        int sign = (x >>> 16) & 0x8000;
        int exp = (x >>> 23) & 0xFF;
        int mant = x & 0x7FFFFF;
        if (exp == 0xFF) return (short) (sign | 0x7C00 | (mant != 0 ? 0x200 : 0));   // Inf / NaN
        int e = exp - 127 + 15;
        if (e >= 0x1F) return (short) (sign | 0x7C00);                                // overflow -> Inf
        if (e <= 0) {                                                                  // subnormal or zero
            if (e < -10) return (short) sign;
            mant |= 0x800000;
            int shift = 14 - e;
            int half = mant >> shift;
            int rem = mant & ((1 << shift) - 1);
            int mid = 1 << (shift - 1);
            if (rem > mid || (rem == mid && (half & 1) == 1)) half++;
            return (short) (sign | half);
        }
        int half = (e << 10) | (mant >> 13);
        int rem = mant & 0x1FFF;
        if (rem > 0x1000 || (rem == 0x1000 && (half & 1) == 1)) half++;               // may carry into exponent: correct
        return (short) (sign | half);
    }

    public static float fromHalf(short h) {
        return DType.halfToFloat(h);
    }
}
