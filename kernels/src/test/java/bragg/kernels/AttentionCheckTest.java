package bragg.kernels;

import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;
import org.opentest4j.AssertionFailedError;

/**
 * The check itself: a kernel that leaves one element unwritten must fail it (the NaN poison is
 * what catches it), and so must one that writes a wrong value.
 */
class AttentionCheckTest {
    private static final AttentionShape SHAPE = AttentionShape.builder().batch(2).heads(1).queryLength(9)
            .keyLength(11).headDim(16).keyLengths(new int[] {11, 0}).build();

    /** Delegates to the Java kernel, then damages one buffer. */
    private static final class Damaged implements AttentionKernel {
        private final String what;
        private final AttentionKernel inner = new JavaFlashAttention();

        Damaged(String what) {
            this.what = what;
        }

        @Override
        public String backend() {
            return "damaged(" + what + ")";
        }

        @Override
        public void forward(AttentionShape s, float[] q, float[] k, float[] v, float[] out, float[] lse) {
            float[] mine = new float[out.length];
            inner.forward(s, q, k, v, mine, lse);
            // "forgets" the last element: the caller's poisoned value stays
            System.arraycopy(mine, 0, out, 0, what.equals("out unwritten") ? out.length - 1 : out.length);
        }

        @Override
        public void backward(AttentionShape s, float[] q, float[] k, float[] v, float[] out, float[] lse,
                             float[] dOut, float[] dq, float[] dk, float[] dv) {
            float[] mine = new float[dk.length];
            inner.backward(s, q, k, v, out, lse, dOut, dq, mine, dv);
            System.arraycopy(mine, 0, dk, 0, dk.length);
            if (what.equals("dk wrong")) {
                dk[3] += 0.01f;
            }
        }

        @Override
        public void close() {
        }
    }

    @Test
    void anUnwrittenOutputElementFails() {
        AssertionFailedError e = assertThrows(AssertionFailedError.class,
                () -> AttentionCheck.check(new Damaged("out unwritten"), SHAPE, 1));
        assertTrue(e.getMessage().contains("out[" + (SHAPE.queryElements() - 1) + "] = NaN (not written"),
                e.getMessage());
    }

    @Test
    void aWrongGradientFails() {
        AssertionFailedError e = assertThrows(AssertionFailedError.class,
                () -> AttentionCheck.check(new Damaged("dk wrong"), SHAPE, 2));
        assertTrue(e.getMessage().startsWith("dk: relative error"), e.getMessage());
    }

    @Test
    void theUndamagedKernelPasses() {
        AttentionCheck.check(new Damaged("nothing"), SHAPE, 3);
    }
}
