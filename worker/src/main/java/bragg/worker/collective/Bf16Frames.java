package bragg.worker.collective;

import bragg.kernels.RowKernels;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.IntVector;
import jdk.incubator.vector.ShortVector;
import jdk.incubator.vector.VectorMask;
import jdk.incubator.vector.VectorOperators;
import jdk.incubator.vector.VectorSpecies;

/**
 * The ring's bf16 frames, on the little-endian direct buffers as they are: encoding a run of the
 * gradient into a frame, adding a received frame into it, and decoding one over it. Each has the
 * element-wise form of {@link Bf16} and a Vector API form (8 lanes, a 256-bit int vector for the
 * float bits and a 128-bit short vector for the wire) that computes the same integer steps, so
 * both give the same bits; the scalar loop did the conversions one float at a time on a rank's
 * only core, which made bf16 on the wire slower than float32.
 * <pre>
 *   grad   [.. gradByte + 4n)   float32 gradient; floats [gradByte/4, gradByte/4 + n)
 *   wire   [2n]                 bf16 frame payload, from byte 0
 * </pre>
 */
final class Bf16Frames {
    private Bf16Frames() {
    }

    /** wire[2j] = bf16(grad float j), round to nearest even, for j in [0, n). */
    static void encode(ByteBuffer grad, int gradByte, ByteBuffer wire, int n) {
        int j = RowKernels.SIMD ? Simd.encode(grad, gradByte, wire, n) : 0;
        for (; j < n; j++) {
            wire.putShort(2 * j, Bf16.encode(grad.getFloat(gradByte + 4 * j)));
        }
    }

    /** grad float j += the frame's bf16 j, then rounded to bf16 when {@code round}, for j in [0, n). */
    static void addInto(ByteBuffer grad, int gradByte, ByteBuffer wire, int n, boolean round) {
        int j = RowKernels.SIMD ? Simd.addInto(grad, gradByte, wire, n, round) : 0;
        for (; j < n; j++) {
            int at = gradByte + 4 * j;
            float v = Bf16.decode(wire.getShort(2 * j)) + grad.getFloat(at);
            grad.putFloat(at, round ? Bf16.round(v) : v);
        }
    }

    /** grad float j = the frame's bf16 j as a float, for j in [0, n). */
    static void decodeInto(ByteBuffer grad, int gradByte, ByteBuffer wire, int n) {
        int j = RowKernels.SIMD ? Simd.decodeInto(grad, gradByte, wire, n) : 0;
        for (; j < n; j++) {
            grad.putFloat(gradByte + 4 * j, Bf16.decode(wire.getShort(2 * j)));
        }
    }

    /** The Vector API forms, in their own class so a JVM without the module never loads it; each returns the floats it did. */
    private static final class Simd {
        private static final VectorSpecies<Integer> I = IntVector.SPECIES_256;
        private static final VectorSpecies<Short> S = ShortVector.SPECIES_128;
        private static final VectorSpecies<Float> F = FloatVector.SPECIES_256;
        private static final ByteOrder LE = ByteOrder.LITTLE_ENDIAN;

        /** {@link Bf16#encode(float)} on 8 lanes of float bits; the bf16 bits in each lane's low 16. */
        private static IntVector bf16Bits(IntVector b) {
            IntVector hi = b.lanewise(VectorOperators.LSHR, 16);
            IntVector rounded = b.add(0x7fff).add(hi.and(1)).lanewise(VectorOperators.LSHR, 16);
            VectorMask<Integer> nan = b.and(0x7fffffff).compare(VectorOperators.GT, 0x7f800000);
            return rounded.blend(hi.or(0x40), nan);
        }

        static int encode(ByteBuffer grad, int gradByte, ByteBuffer wire, int n) {
            int bound = I.loopBound(n);
            for (int j = 0; j < bound; j += I.length()) {
                IntVector b = IntVector.fromByteBuffer(I, grad, gradByte + 4 * j, LE);
                // I2S keeps each lane's low 16 bits, as the scalar (short) cast does
                bf16Bits(b).convertShape(VectorOperators.I2S, S, 0).intoByteBuffer(wire, 2 * j, LE);
            }
            return bound;
        }

        /** 8 bf16 of the frame as float bits: the sign-extended short shifted up, as (h & 0xffff) << 16. */
        private static IntVector widened(ByteBuffer wire, int j) {
            ShortVector h = ShortVector.fromByteBuffer(S, wire, 2 * j, LE);
            return ((IntVector) h.convertShape(VectorOperators.S2I, I, 0)).lanewise(VectorOperators.LSHL, 16);
        }

        static int addInto(ByteBuffer grad, int gradByte, ByteBuffer wire, int n, boolean round) {
            int bound = I.loopBound(n);
            for (int j = 0; j < bound; j += I.length()) {
                int at = gradByte + 4 * j;
                FloatVector v = widened(wire, j).reinterpretAsFloats().add(FloatVector.fromByteBuffer(F, grad, at, LE));
                if (round) {
                    v = bf16Bits(v.reinterpretAsInts()).lanewise(VectorOperators.LSHL, 16).reinterpretAsFloats();
                }
                v.intoByteBuffer(grad, at, LE);
            }
            return bound;
        }

        static int decodeInto(ByteBuffer grad, int gradByte, ByteBuffer wire, int n) {
            int bound = I.loopBound(n);
            for (int j = 0; j < bound; j += I.length()) {
                widened(wire, j).intoByteBuffer(grad, gradByte + 4 * j, LE);
            }
            return bound;
        }
    }
}
