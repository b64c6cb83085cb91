package bragg.worker.collective;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import bragg.kernels.RowKernels;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.Random;
import org.junit.jupiter.api.Test;

/**
 * The ring's frame reduction gives, bit for bit, the float sums of the element-wise loop it
 * replaced, at any offset into the gradient and for lengths that end inside a vector, and
 * touches nothing outside its floats.
 */
class ChunkSumTest {
    @Test
    void sumsEqualTheScalarAdditionBitForBitAndStayInsideTheirFloats() {
        assertTrue(RowKernels.SIMD, "the test JVMs run with jdk.incubator.vector (bragg.jvm.opens)");
        Random rnd = new Random(11);
        for (int n : new int[]{0, 1, 7, 16, 17, 255, 1000, 4099}) {
            for (int off : new int[]{0, 3, 64}) {
                int total = off + n + 5;
                ByteBuffer dst = ByteBuffer.allocateDirect(4 * total).order(ByteOrder.LITTLE_ENDIAN);
                ByteBuffer src = ByteBuffer.allocateDirect(4 * n).order(ByteOrder.LITTLE_ENDIAN);
                float[] before = new float[total];
                for (int i = 0; i < total; i++) {
                    before[i] = (float) (rnd.nextGaussian() * Math.pow(10, rnd.nextInt(7) - 3));
                    dst.putFloat(4 * i, before[i]);
                }
                float[] add = new float[n];
                for (int j = 0; j < n; j++) {
                    add[j] = (float) rnd.nextGaussian();
                    src.putFloat(4 * j, add[j]);
                }
                ChunkSum.addInto(dst, 4 * off, src, n);
                for (int i = 0; i < total; i++) {
                    boolean inside = i >= off && i < off + n;
                    float want = inside ? add[i - off] + before[i] : before[i];
                    assertEquals(Float.floatToRawIntBits(want), Float.floatToRawIntBits(dst.getFloat(4 * i)),
                            "n=" + n + " off=" + off + " float " + i + (inside ? "" : " (outside the chunk)"));
                }
            }
        }
    }
}
