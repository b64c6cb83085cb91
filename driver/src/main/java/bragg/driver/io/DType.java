package bragg.driver.io;

import java.nio.ByteBuffer;
import java.util.Locale;

/**
 * Element types the readers decode. Every reader hands out samples as float[]: counts up to
 * 2^24 and all 8/16-bit detector data are exact in float; u32/i64 above 2^24 and f64 lose
 * precision (said in {@code inspect}'s output through the dtype).
 */
public enum DType {
    U8(1), I8(1), U16(2), I16(2), U32(4), I32(4), I64(8), F32(4), F64(8);

    /** Bytes per element. */
    public final int size;

    DType(int size) {
        this.size = size;
    }

    /** Lower-case name as printed by inspect and accepted on the command line (u8, f32, ...). */
    public String label() {
        return name().toLowerCase(Locale.ROOT);
    }

    public boolean isFloat() {
        return this == F32 || this == F64;
    }

    /** Parses u8/uint8, u16/uint16, i16, u32, i32, i64, f32/float32, f64/float64. */
    public static DType parse(String s) {
        String t = s.trim().toLowerCase(Locale.ROOT);
        switch (t) {
            case "u8": case "uint8": return U8;
            case "i8": case "int8": return I8;
            case "u16": case "uint16": return U16;
            case "i16": case "int16": return I16;
            case "u32": case "uint32": return U32;
            case "i32": case "int32": return I32;
            case "i64": case "int64": return I64;
            case "f32": case "float32": return F32;
            case "f64": case "float64": return F64;
            default:
                throw new IllegalArgumentException("dtype '" + s + "' is not one of u8, i8, u16, i16, u32, i32, i64, f32, f64");
        }
    }

    /**
     * Decodes n elements from the buffer's position (in the buffer's byte order) into
     * out[off..off+n).
     */
    public void decode(ByteBuffer in, float[] out, int off, int n) {
        switch (this) {
            case U8: for (int i = 0; i < n; i++) out[off + i] = in.get() & 0xFF; break;
            case I8: for (int i = 0; i < n; i++) out[off + i] = in.get(); break;
            case U16: for (int i = 0; i < n; i++) out[off + i] = in.getShort() & 0xFFFF; break;
            case I16: for (int i = 0; i < n; i++) out[off + i] = in.getShort(); break;
            case U32: for (int i = 0; i < n; i++) out[off + i] = in.getInt() & 0xFFFFFFFFL; break;
            case I32: for (int i = 0; i < n; i++) out[off + i] = in.getInt(); break;
            case I64: for (int i = 0; i < n; i++) out[off + i] = in.getLong(); break;
            case F32: for (int i = 0; i < n; i++) out[off + i] = in.getFloat(); break;
            case F64: for (int i = 0; i < n; i++) out[off + i] = (float) in.getDouble(); break;
            default: throw new AssertionError(this);
        }
    }
}
