package bragg.kernels;

import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

import java.util.List;
import java.util.concurrent.ForkJoinPool;

/**
 * The Java backend against the double reference, with its SIMD tile products (when the test JVM
 * has jdk.incubator.vector, which the Surefire argLine gives it) and with the scalar ones.
 */
class JavaFlashAttentionTest {
    private static final long SEED = TestSeed.SEED;

    static List<AttentionShape> sweep() {
        return AttentionCheck.sweep();
    }

    @ParameterizedTest
    @MethodSource("sweep")
    void matchesReference(AttentionShape s) {
        AttentionCheck.check(new JavaFlashAttention(), s, SEED ^ s.hashCode());
    }

    @ParameterizedTest
    @MethodSource("sweep")
    void scalarProductsMatchReference(AttentionShape s) {
        AttentionCheck.check(new JavaFlashAttention(ForkJoinPool.commonPool(), false), s, SEED ^ s.hashCode() ^ 1);
    }

    /** The build runs the tests with the Vector API; without it the SIMD path would go untested. */
    @Test
    void theTestJvmHasTheVectorApi() {
        assertTrue(TileGemm.SIMD_AVAILABLE, "jdk.incubator.vector is not in the test JVM: the Surefire argLine"
                + " (root pom bragg.jvm.opens) must carry --add-modules=jdk.incubator.vector");
        assertTrue(new JavaFlashAttention().backend().contains("simd"), new JavaFlashAttention().backend());
    }

    /** One instance over shapes that reuse or resize its buffers, padding included (Dh 7, 24, 64). */
    @Test
    void oneInstanceAcrossShapesKeepsMatching() {
        JavaFlashAttention k = new JavaFlashAttention();
        for (AttentionShape s : List.of(
                AttentionShape.builder().batch(2).heads(1).queryLength(70).keyLength(33).headDim(24).build(),
                AttentionShape.builder().batch(1).heads(3).queryLength(33).keyLength(70).headDim(7)
                        .keyLengths(new int[] {69}).build(),
                AttentionShape.builder().batch(2).heads(1).queryLength(70).keyLength(33).headDim(24).build(),
                AttentionShape.builder().batch(1).heads(2).queryLength(90).keyLength(90).headDim(64).causal(true)
                        .build())) {
            AttentionCheck.check(k, s, SEED ^ s.hashCode() ^ 2);
            AttentionCheck.check(k, s, SEED ^ s.hashCode() ^ 3); // same shape again: reused buffers
        }
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
