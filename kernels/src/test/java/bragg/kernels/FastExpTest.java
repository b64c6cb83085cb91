package bragg.kernels;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

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

    @Test
    void edgesAreFiniteAndTiny() {
        assertEquals(1f, FastExp.exp(0f));
        assertTrue(FastExp.exp(Float.NEGATIVE_INFINITY) < 2e-38f && FastExp.exp(Float.NEGATIVE_INFINITY) >= 0f);
        assertTrue(FastExp.exp(-1000f) < 2e-38f);
        assertEquals((float) Math.exp(1e-3), FastExp.exp(1e-3f), 1e-6f); // slightly positive (float rounding of s - lse)
    }
}
