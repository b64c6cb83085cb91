package bragg.worker.collective;

import bragg.kernels.RowKernels;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorSpecies;

/**
 * The ring's reduction of one received frame into the gradient, on the little-endian direct
 * buffers as they are (no float[] copy). Element-wise FloatBuffer get/put keeps its bounds and
 * scope checks per float and is not vectorised by C2: on one core it cost the ring about as much
 * as the kernel's copies of the same bytes. Each sum is the one float addition the scalar form
 * makes (a + b is commutative and rounded once), so both forms give the same bits. The Vector
 * API form runs where the JVM has the module ({@link RowKernels#SIMD}), else the scalar loop.
 * <pre>
 *   dst  [.. dstByte + 4n)   the gradient; floats [dstByte/4, dstByte/4 + n) += src's
 *   src  [4n]                the received frame's payload, from byte 0
 * </pre>
 */
final class ChunkSum {
    private ChunkSum() {
    }

    /** dst[dstByte + 4j] += src[4j] for j in [0, n), both little-endian floats. */
    static void addInto(ByteBuffer dst, int dstByte, ByteBuffer src, int n) {
        int j = RowKernels.SIMD ? Simd.addInto(dst, dstByte, src, n) : 0;
        for (; j < n; j++) {
            int at = dstByte + 4 * j;
            dst.putFloat(at, src.getFloat(4 * j) + dst.getFloat(at));
        }
    }

    /** The Vector API part, in its own class so a JVM without the module never loads it. */
    private static final class Simd {
        private static final VectorSpecies<Float> F = FloatVector.SPECIES_PREFERRED;

        /** Adds the whole vectors; returns how many floats it did. */
        static int addInto(ByteBuffer dst, int dstByte, ByteBuffer src, int n) {
            int bound = F.loopBound(n);
            for (int j = 0; j < bound; j += F.length()) {
                int at = dstByte + 4 * j;
                FloatVector.fromByteBuffer(F, src, 4 * j, ByteOrder.LITTLE_ENDIAN)
                        .add(FloatVector.fromByteBuffer(F, dst, at, ByteOrder.LITTLE_ENDIAN))
                        .intoByteBuffer(dst, at, ByteOrder.LITTLE_ENDIAN);
            }
            return bound;
        }
    }
}
