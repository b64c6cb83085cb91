package bragg.worker.model.ops;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ForkJoinPool;
import java.util.concurrent.Future;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.indexing.NDArrayIndex;

/** {@link Gemm} against a float64 product of the same operands, over every way it splits a product. */
class GemmTest {
    private static final ForkJoinPool POOL = new ForkJoinPool(3);

    @AfterAll
    static void close() {
        POOL.shutdown();
    }

    /** op(a) op(b) + beta c0 in float64. */
    private static INDArray reference(INDArray a, boolean ta, INDArray b, boolean tb, INDArray c0, double beta) {
        INDArray da = a.castTo(DataType.DOUBLE), db = b.castTo(DataType.DOUBLE);
        INDArray r = (ta ? da.transpose() : da).mmul(tb ? db.transpose() : db);
        return r.addi(c0.castTo(DataType.DOUBLE).muli(beta));
    }

    private static void check(int m, int n, int k, boolean ta, boolean tb, char cOrder, float beta) {
        Nd4j.getRandom().setSeed(m * 31L + n * 7L + k);
        INDArray a = ta ? Nd4j.randn(DataType.FLOAT, k, m) : Nd4j.randn(DataType.FLOAT, m, k);
        INDArray b = tb ? Nd4j.randn(DataType.FLOAT, n, k) : Nd4j.randn(DataType.FLOAT, k, n);
        INDArray c = Nd4j.randn(DataType.FLOAT, m, n).dup(cOrder);
        INDArray expected = reference(a, ta, b, tb, c, beta);
        Gemm.gemm(POOL, a, ta, b, tb, c, beta);
        double err = c.castTo(DataType.DOUBLE).sub(expected).amaxNumber().doubleValue();
        double scale = expected.amaxNumber().doubleValue();
        assertTrue(err <= 1e-5 * scale * Math.sqrt(k),
                "m=" + m + " n=" + n + " k=" + k + " ta=" + ta + " tb=" + tb + " C " + cOrder + ": max error " + err
                        + " of max " + scale);
    }

    @Test
    void everyTransposeAndSplitMatchesTheReference() {
        int[][] shapes = {
                {2080, 128, 384},  // split by rows (a block's projection)
                {128, 384, 2080},  // split by columns (a weight gradient)
                {37, 45, 19},      // too small to split: the calling thread alone
                {300, 97, 64},     // rows not a multiple of the block alignment
                {40, 200, 333},    // short and wide: columns, ragged last block
        };
        for (int[] s : shapes) {
            for (boolean ta : new boolean[]{false, true}) {
                for (boolean tb : new boolean[]{false, true}) {
                    check(s[0], s[1], s[2], ta, tb, 'c', 0f);
                }
            }
            check(s[0], s[1], s[2], false, false, 'c', 1f);
            check(s[0], s[1], s[2], true, false, 'f', 0.5f);
        }
    }

    @Test
    void viewsAtAnOffsetAndWithALeadingDimensionAreReadInPlace() {
        INDArray flat = Nd4j.randn(DataType.FLOAT, 1, 10_000);
        INDArray w = flat.get(NDArrayIndex.point(0), NDArrayIndex.interval(1000, 1000 + 64 * 96)).reshape('c', 64, 96);
        INDArray wide = Nd4j.randn(DataType.FLOAT, 200, 150);
        INDArray x = wide.get(NDArrayIndex.all(), NDArrayIndex.interval(10, 74)); // [200, 64], ld 150
        INDArray c = Nd4j.create(DataType.FLOAT, 200, 96);
        Gemm.gemm(POOL, x, false, w, false, c, 0f);
        INDArray expected = x.castTo(DataType.DOUBLE).mmul(w.castTo(DataType.DOUBLE));
        assertTrue(c.castTo(DataType.DOUBLE).sub(expected).amaxNumber().doubleValue() < 1e-4);
    }

    @Test
    void replicasMultiplyAtOnceWithoutDisturbingEachOther() throws Exception {
        ExecutorService replicas = Executors.newFixedThreadPool(2);
        try {
            Future<?> one = replicas.submit(() -> {
                for (int i = 0; i < 5; i++) {
                    check(520, 128, 256, false, true, 'c', 0f);
                }
            });
            Future<?> two = replicas.submit(() -> {
                for (int i = 0; i < 5; i++) {
                    check(128, 256, 520, true, false, 'c', 0f);
                }
            });
            one.get();
            two.get();
        } finally {
            replicas.shutdown();
        }
    }

    @Test
    void badOperandsAreNamedWithTheirShapes() {
        INDArray a = Nd4j.create(DataType.FLOAT, 4, 5), b = Nd4j.create(DataType.FLOAT, 6, 3);
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> Gemm.gemm(POOL, a, false, b, false, Nd4j.create(DataType.FLOAT, 4, 3), 0f));
        assertEquals("gemm: op(A) is 4x5, op(B) 6x3, C 4x3; expected op(A) [M, K], op(B) [K, N], C [M, N]", e.getMessage());
        INDArray d = Nd4j.create(DataType.DOUBLE, 4, 6);
        assertTrue(assertThrows(IllegalArgumentException.class,
                () -> Gemm.gemm(POOL, d, false, b, false, Nd4j.create(DataType.FLOAT, 4, 3), 0f)).getMessage()
                .contains("A must be a 2-D float32 array; found rank 2, DOUBLE"));
    }
}
