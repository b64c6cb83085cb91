package bragg.worker.collective;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import bragg.kernels.RowKernels;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.Random;
import org.junit.jupiter.api.Test;

/**
 * The ring's bf16 frame operations give, bit for bit, what {@link Bf16}'s one-float forms give,
 * on values that exercise every branch (ties to even, NaNs with payloads in the low bits,
 * infinities, overflow to infinity, subnormals, signed zeros), at offsets into the gradient and
 * for lengths that end inside a vector, and touch nothing outside their floats (a sum that is NaN
 * need only be NaN).
 */
class Bf16FramesTest {
    private static final int[] SPECIAL = {0x00000000, 0x80000000, 0x3f808000, 0x3f818000, 0x3f808001, 0x7f800000, 0xff800000,
        0x7f800001, 0x7fc00000, 0xffffffff, 0x7f7fffff, 0xff7fffff, 0x00000001, 0x807fffff, 0x00008000, 0x3f7fffff};

    private static float value(Random rnd, int i) {
        return i % 5 == 0 ? Float.intBitsToFloat(SPECIAL[(i / 5) % SPECIAL.length]) : Float.intBitsToFloat(rnd.nextInt());
    }

    @Test
    void everyFormMatchesTheScalarBitsAndStaysInsideItsFloats() {
        assertTrue(RowKernels.SIMD, "the test JVMs run with jdk.incubator.vector (bragg.jvm.opens)");
        Random rnd = new Random(5);
        for (int n : new int[]{0, 1, 7, 8, 9, 33, 1000}) {
            for (int off : new int[]{0, 3}) {
                int total = off + n + 4;
                float[] grad = new float[total];
                for (int i = 0; i < total; i++) {
                    grad[i] = value(rnd, i);
                }
                short[] wire = new short[n];
                for (int j = 0; j < n; j++) {
                    wire[j] = (short) rnd.nextInt();
                }
                // encode
                ByteBuffer g = floats(grad);
                ByteBuffer w = ByteBuffer.allocateDirect(2 * n).order(ByteOrder.LITTLE_ENDIAN);
                Bf16Frames.encode(g, 4 * off, w, n);
                for (int j = 0; j < n; j++) {
                    assertEquals(Bf16.encode(grad[off + j]), w.getShort(2 * j), "encode n=" + n + " off=" + off + " j=" + j + " of " + grad[off + j]);
                }
                // add, plain and rounded, and decode
                for (int form = 0; form < 3; form++) {
                    ByteBuffer out = floats(grad);
                    ByteBuffer in = shorts(wire);
                    if (form == 2) {
                        Bf16Frames.decodeInto(out, 4 * off, in, n);
                    } else {
                        Bf16Frames.addInto(out, 4 * off, in, n, form == 1);
                    }
                    for (int i = 0; i < total; i++) {
                        float want = grad[i];
                        if (i >= off && i < off + n) {
                            float d = Bf16.decode(wire[i - off]);
                            want = form == 2 ? d : form == 1 ? Bf16.round(d + grad[i]) : d + grad[i];
                        }
                        float got = out.getFloat(4 * i);
                        String at = "form " + form + " n=" + n + " off=" + off + " float " + i;
                        if (Float.isNaN(want)) {
                            // which NaN an addition of two NaNs keeps depends on the operand order the JIT picks
                            assertTrue(Float.isNaN(got), at + ": NaN expected, found " + got);
                        } else {
                            assertEquals(Float.floatToRawIntBits(want), Float.floatToRawIntBits(got), at);
                        }
                    }
                }
            }
        }
    }

    private static ByteBuffer floats(float[] v) {
        ByteBuffer b = ByteBuffer.allocateDirect(4 * v.length).order(ByteOrder.LITTLE_ENDIAN);
        for (int i = 0; i < v.length; i++) {
            b.putFloat(4 * i, v[i]);
        }
        return b;
    }

    private static ByteBuffer shorts(short[] v) {
        ByteBuffer b = ByteBuffer.allocateDirect(2 * v.length).order(ByteOrder.LITTLE_ENDIAN);
        for (int i = 0; i < v.length; i++) {
            b.putShort(2 * i, v[i]);
        }
        return b;
    }
}
