package bragg.driver.preprocess;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
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
        ByteBuffer buf = ByteBuffer.allocate(a.encodedSize()).order(ByteOrder.LITTLE_ENDIAN);
        a.encodeInto(buf);
        SampleBlock b = SampleBlock.decode(buf.flip());
        assertArrayEquals(a.id, b.id);
        assertArrayEquals(a.pos, b.pos);
        assertArrayEquals(a.label, b.label);
        assertArrayEquals(a.target, b.target);
        assertArrayEquals(a.pattern, b.pattern);
        assertArrayEquals(a.finite, b.finite);
        assertArrayEquals(a.clipped, b.clipped);
    }

    @Test
    void blocksEncodedBackToBackIntoOneBufferDecodeInOrder() {
        SampleBlock a = block(true);
        SampleBlock b = block(false);
        ByteBuffer buf = ByteBuffer.allocateDirect(a.encodedSize() + b.encodedSize()).order(ByteOrder.LITTLE_ENDIAN);
        a.encodeInto(buf);
        assertEquals(a.encodedSize(), buf.position());
        b.encodeInto(buf);
        assertEquals(0, buf.remaining());
        buf.flip();
        SampleBlock a2 = SampleBlock.decode(buf);
        SampleBlock b2 = SampleBlock.decode(buf);
        assertEquals(0, buf.remaining());
        assertArrayEquals(a.pattern, a2.pattern);
        assertArrayEquals(a.id, a2.id);
        assertArrayEquals(b.pattern, b2.pattern);
        assertArrayEquals(b.clipped, b2.clipped);
        assertNotNull(a2.moments);
        assertEquals(a.moments.sum, a2.moments.sum, 0.0);
        assertNull(b2.moments);
        PreprocessStats want = stats(a);
        PreprocessStats got = stats(a2);
        assertEquals(want.mean(), got.mean(), 0.0);
        assertEquals(want.samples, got.samples);
    }
}
