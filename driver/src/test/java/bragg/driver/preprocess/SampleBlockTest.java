package bragg.driver.preprocess;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;

import org.junit.jupiter.api.Test;

class SampleBlockTest {

    /** Three samples of 4 values, the second non-finite; with or without stored moments. */
    private static SampleBlock block(boolean withMoments) {
        SampleBlock s = new SampleBlock(3, 2, 1, 4);
        for (int i = 0; i < 3; i++) {
            s.id[i] = 10 + i;
            s.pos[2 * i] = i;
            s.pos[2 * i + 1] = 7;
            s.label[i] = i - 1;
            s.target[i] = 0.5f * i;
            s.finite[i] = i != 1;
            s.clipped[i] = i;
            for (int j = 0; j < 4; j++) s.pattern[s.patternStart(i) + j] = i * 4 + j;
        }
        if (withMoments) {
            s.moments = new ValueMoments();
            for (int i = 0; i < 3; i++) if (s.finite[i]) s.moments.add(s.pattern, s.patternStart(i), 4);
        }
        return s;
    }

    private static PreprocessStats stats(SampleBlock s) {
        PreprocessStats st = new PreprocessStats(2);
        s.addTo(st);
        return st;
    }

    @Test
    void roundTripKeepsEveryField() {
        SampleBlock a = block(true);
        SampleBlock b = SampleBlock.decode(a.encode());
        assertArrayEquals(a.id, b.id);
        assertArrayEquals(a.pos, b.pos);
        assertArrayEquals(a.label, b.label);
        assertArrayEquals(a.target, b.target);
        assertArrayEquals(a.pattern, b.pattern);
        assertArrayEquals(a.finite, b.finite);
        assertArrayEquals(a.clipped, b.clipped);
    }

    @Test
    void statisticsDecodeSkipsPatternsOnlyWhenTheMomentsWereStored() {
        for (boolean withMoments : new boolean[] {true, false}) {
            SampleBlock a = block(withMoments);
            SampleBlock s = SampleBlock.decodeForStatistics(a.encode());
            if (withMoments) assertNull(s.pattern);
            else assertNotNull(s.pattern);
            PreprocessStats want = stats(a);
            PreprocessStats got = stats(s);
            assertEquals(want.samples, got.samples);
            assertEquals(want.nonFiniteSamples, got.nonFiniteSamples);
            assertEquals(want.firstNonFinite, got.firstNonFinite);
            assertEquals(want.clippedNegative, got.clippedNegative);
            assertArrayEquals(want.perLabel, got.perLabel);
            assertEquals(want.mean(), got.mean(), 0.0);
            assertEquals(want.std(), got.std(), 0.0);
            assertEquals(want.min, got.min, 0.0);
            assertEquals(want.max, got.max, 0.0);
        }
    }
}
