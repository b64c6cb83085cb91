package bragg.worker.train;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;
import org.nd4j.linalg.dataset.MultiDataSet;

class LocalShardTest {

    @Test
    void regressionBatchesCarryTheTargetsInOrder() {
        LocalShard s = LocalShard.regression(new int[] {1, 1, 2}, 2, 1);
        for (int i = 0; i < 20; i++) {   // past the first capacities: the arrays grow
            s.add(i, new float[] {i, -i}, new float[] {0.5f * i, 1 - i});
        }
        MultiDataSet b = s.batch(new int[] {3, 17, 0}, 0, 3);
        assertArrayEquals(new long[] {3, 1, 1, 2}, b.getFeatures(0).shape());
        assertArrayEquals(new float[] {1.5f, -2f, 8.5f, -16f, 0f, 1f}, b.getLabels(0).data().asFloat());
        assertArrayEquals(new float[] {3, -3, 17, -17, 0, 0}, b.getFeatures(0).data().asFloat());
    }

    @Test
    void classificationBatchesAreOneHot() {
        LocalShard s = new LocalShard(new int[] {2}, 3, 4);
        s.add(0, new float[] {1, 2}, 2);
        s.add(1, new float[] {3, 4}, 0);
        assertArrayEquals(new float[] {1, 0, 0, 0, 0, 1}, s.batch(new int[] {1, 0}, 0, 2).getLabels(0).data().asFloat());
    }

    @Test
    void badTargetsAndMixedKindsNameTheSample() {
        LocalShard r = LocalShard.regression(new int[] {2}, 1, 4);
        String count = assertThrows(IllegalArgumentException.class,
                () -> r.add(7, new float[] {1, 2}, new float[] {1, 2})).getMessage();
        assertTrue(count.contains("sample 7: 2 target values, expected 1"), count);
        String nan = assertThrows(IllegalArgumentException.class,
                () -> r.add(8, new float[] {1, 2}, new float[] {Float.NaN})).getMessage();
        assertTrue(nan.contains("sample 8: target NaN at index 0 is not finite"), nan);
        assertThrows(IllegalStateException.class, () -> r.add(9, new float[] {1, 2}, 0));
        assertThrows(IllegalStateException.class,
                () -> new LocalShard(new int[] {2}, 2, 1).add(9, new float[] {1, 2}, new float[] {0}));
    }
}
