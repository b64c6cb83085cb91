package bragg.kernels;

import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.function.Executable;

/** Shapes and buffers that do not fit fail with a message naming the argument. */
class AttentionShapeTest {

    private static void assertMessage(Executable e, String... fragments) {
        IllegalArgumentException ex = assertThrows(IllegalArgumentException.class, e);
        for (String f : fragments) {
            assertTrue(ex.getMessage().contains(f), "message '" + ex.getMessage() + "' lacks '" + f + "'");
        }
    }

    @Test
    void rejectsBadSizes() {
        assertMessage(() -> AttentionShape.self(1, 1, 8, 129), "headDim (Dh) = 129", "128");
        assertMessage(() -> AttentionShape.self(1, 1, 0, 16), "queryLength (Lq)", "found 0");
        assertMessage(() -> AttentionShape.builder().queryLength(4).keyLength(0).headDim(8).build(),
                "keyLength (Lk)", "found 0");
        assertMessage(() -> AttentionShape.self(0, 1, 4, 16), "batch (B)");
        assertMessage(() -> AttentionShape.self(1, -2, 4, 16), "heads (H)", "found -2");
        assertMessage(() -> AttentionShape.builder().queryLength(4).keyLength(5).headDim(8).causal(true).build(),
                "causal", "Lq = 4", "Lk = 5");
        assertMessage(() -> AttentionShape.builder().batch(2).queryLength(4).keyLength(5).headDim(8)
                .keyLengths(new int[] {5}).build(), "keyLengths has 1 entries", "B = 2");
        assertMessage(() -> AttentionShape.builder().batch(1).queryLength(4).keyLength(5).headDim(8)
                .keyLengths(new int[] {6}).build(), "keyLengths[0] = 6", "Lk = 5");
        assertMessage(() -> AttentionShape.builder().queryLength(4).keyLength(4).headDim(8).scale(-1f).build(),
                "scale");
    }

    @Test
    void kernelsNameTheWrongBuffer() {
        AttentionShape s = AttentionShape.builder().batch(1).heads(2).queryLength(3).keyLength(5).headDim(4).build();
        float[] q = new float[24], kv = new float[40], out = new float[24], lse = new float[6];
        for (AttentionKernel k : new AttentionKernel[] {new JavaFlashAttention(), new ReferenceAttention()}) {
            assertMessage(() -> k.forward(s, q, new float[24], kv, out, lse), "k has 24 elements", "expected 40");
            assertMessage(() -> k.forward(s, q, kv, kv, out, new float[3]), "lse has 3 elements", "expected 6");
            assertMessage(() -> k.forward(s, null, kv, kv, out, lse), "q is null");
            assertMessage(() -> k.backward(s, q, kv, kv, out, lse, q, q, kv, new float[1]), "dv has 1 elements");
            assertMessage(() -> k.backward(s, q, kv, kv, out, lse, new float[2], q, kv, kv), "dOut has 2 elements");
        }
    }
}
