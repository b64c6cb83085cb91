package bragg.worker.train;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

class BucketScheduleTest {

    @Test
    void bucketsTileTheBufferFromTheTopDown() {
        int[][] b = new BucketSchedule(4, true).buckets(10);
        assertArrayEquals(new int[][] {{6, 10}, {2, 6}, {0, 2}}, b);
    }

    @Test
    void everyLengthIsCoveredOnceInOrder() {
        for (int size : new int[] {1, 3, 7, 64}) {
            for (int len = 1; len < 200; len += 13) {
                int[][] b = new BucketSchedule(size, true).buckets(len);
                int top = len;
                for (int[] r : b) {
                    assertEquals(top, r[1], "bucket ends where the previous began");
                    assertTrue(r[0] < r[1] && r[1] - r[0] <= size, "bucket of 1.." + size + " values");
                    top = r[0];
                }
                assertEquals(0, top, "the last bucket starts at 0");
            }
        }
    }

    @Test
    void zeroIsOneRangeAndSmallGradientsOneBucket() {
        assertArrayEquals(new int[][] {{0, 9}}, BucketSchedule.OFF.buckets(9));
        assertArrayEquals(new int[][] {{0, 9}}, new BucketSchedule(9, true).buckets(9));
    }

    @Test
    void mibAreFourByteValues() {
        assertEquals(262_144, BucketSchedule.ofMiB(1, true).bucketFloats());
        assertEquals(1.0, BucketSchedule.DEFAULT.mib());
        String msg = assertThrows(IllegalArgumentException.class, () -> BucketSchedule.ofMiB(-1, true)).getMessage();
        assertTrue(msg.contains("bragg.train.bucket-mb") && msg.contains("-1"), msg);
        msg = assertThrows(IllegalArgumentException.class, () -> BucketSchedule.ofMiB(1e-9, true)).getMessage();
        assertTrue(msg.contains("bragg.train.bucket-mb") && msg.contains("0.001..2048"), msg);
        assertEquals(262, BucketSchedule.ofMiB(0.001, false).bucketFloats());
        assertEquals(0, BucketSchedule.ofMiB(0, true).bucketFloats());
    }
}
