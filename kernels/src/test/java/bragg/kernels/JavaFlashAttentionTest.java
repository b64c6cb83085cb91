package bragg.kernels;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

import java.util.List;
import java.util.concurrent.ForkJoinPool;

class JavaFlashAttentionTest {
    private static final long SEED = System.nanoTime();

    static List<AttentionShape> sweep() {
        return AttentionCheck.sweep();
    }

    @ParameterizedTest
    @MethodSource("sweep")
    void matchesReference(AttentionShape s) {
        AttentionCheck.check(new JavaFlashAttention(), s, SEED ^ s.hashCode());
    }

    @Test
    void singleThreadPoolGivesTheSameAnswer() {
        ForkJoinPool one = new ForkJoinPool(1);
        try {
            AttentionShape s = AttentionShape.builder().batch(2).heads(2).queryLength(70).keyLength(70).headDim(32)
                    .causal(true).keyLengths(new int[] {70, 3}).build();
            AttentionCheck.check(new JavaFlashAttention(one), s, SEED + 1);
        } finally {
            one.shutdown();
        }
    }
}
