package bragg.worker.collective;

import java.util.Locale;

/**
 * How the ring puts gradients on the wire. Accumulation is float32 either way: a rank decodes
 * what it receives, adds it to its own float32 values and encodes the partial sum again.
 * <pre>
 *   none  float32 little-endian, 4 bytes a value: the sum is exact float32 arithmetic
 *   bf16  bfloat16 little-endian, 2 bytes a value (the top half of the float32, rounded to
 *         nearest even): half the bytes, about 3 significant digits per value and per hop
 * </pre>
 */
public enum Compression {
    NONE(4),
    BF16(2);

    /** Bytes on the wire per gradient value. */
    public final int wireBytes;

    Compression(int wireBytes) {
        this.wireBytes = wireBytes;
    }

    /** Parses {@code none} or {@code bf16} (the values of bragg.train.compression). */
    public static Compression parse(String s) {
        for (Compression c : values()) {
            if (c.name().toLowerCase(Locale.ROOT).equals(s)) {
                return c;
            }
        }
        throw new IllegalArgumentException("bragg.train.compression must be none or bf16, found '" + s + "'");
    }

    @Override
    public String toString() {
        return name().toLowerCase(Locale.ROOT);
    }
}
