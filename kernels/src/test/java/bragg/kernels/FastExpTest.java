package bragg.kernels;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;

class FastExpTest {

    @Test
    void relativeErrorBelow3e7OnTheSoftmaxRange() {
        double worst = 0;
        float worstX = 0;
        for (int i = 0; i <= 2_000_000; i++) {
            float x = -87f * i / 2_000_000f;
            double exact = Math.exp(x);
            double rel = Math.abs(FastExp.exp(x) - exact) / exact;
            if (rel > worst) {
                worst = rel;
                worstX = x;
            }
        }
        double w = worst;
        float at = worstX;
        assertTrue(worst < 3e-7, () -> "relative error " + w + " at x = " + at);
    }

    /** The SIMD exp of the softmax steps is the same method lane by lane: equal to FastExp within an ulp or so. */
    @Test
    void vectorExpAgreesWithFastExp() {
        Assumptions.assumeTrue(TileGemm.SIMD_AVAILABLE, "no jdk.incubator.vector in this JVM");
        float[] x = new float[4096];
        for (int i = 0; i < x.length; i++) {
            x[i] = -90f * i / x.length + 0.001f;
        }
        x[0] = Float.NEGATIVE_INFINITY;
        float[] vec = x.clone();
        float sum = SoftmaxRows.expShiftSum(true, vec, 0, vec.length, 0f);
        double expected = 0;
        for (int i = 0; i < x.length; i++) {
            float want = FastExp.exp(x[i]);
            expected += want;
            assertEquals(want, vec[i], Math.ulp(want) * 2, "exp(" + x[i] + ")");
        }
        assertEquals(expected, sum, 1e-5 * expected);
    }

    @Test
    void edgesAreFiniteAndTiny() {
        assertEquals(1f, FastExp.exp(0f));
        assertTrue(FastExp.exp(Float.NEGATIVE_INFINITY) < 2e-38f && FastExp.exp(Float.NEGATIVE_INFINITY) >= 0f);
        assertTrue(FastExp.exp(-1000f) < 2e-38f);
        assertEquals((float) Math.exp(1e-3), FastExp.exp(1e-3f), 1e-6f); // slightly positive (float rounding of s - lse)
    }
}
