package bragg.driver.preprocess;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.Iterator;
import java.util.List;
import java.util.NoSuchElementException;

/**
 * One transformed 4dstem slab as the bytes Spark caches between the statistics and the write
 * pass (a byte[] serialises as one bulk copy; Spark's Kryo cannot rebuild Java records).
 * <pre>
 * [n int] then per sample: [id long][label int][finite byte][clipped int][pattern float * P if finite]
 * little-endian; pos and targets are not stored: they follow from id (PatternLayout)
 * </pre>
 */
final class SlabBlob {
    private SlabBlob() {
    }

    static byte[] encode(List<Sample> samples, int patternLength) {
        int finite = 0;
        for (Sample s : samples) if (s.finite()) finite++;
        ByteBuffer b = ByteBuffer.allocate(4 + samples.size() * 17 + finite * patternLength * 4).order(ByteOrder.LITTLE_ENDIAN);
        b.putInt(samples.size());
        for (Sample s : samples) {
            b.putLong(s.id()).putInt(s.label()).put((byte) (s.finite() ? 1 : 0)).putInt(s.clipped());
            if (s.finite()) {
                b.asFloatBuffer().put(s.pattern());
                b.position(b.position() + 4 * patternLength);
            }
        }
        return b.array();
    }

    /** The samples of a blob, decoded one at a time. */
    static Iterator<Sample> decode(byte[] blob, PatternLayout proc) {
        ByteBuffer b = ByteBuffer.wrap(blob).order(ByteOrder.LITTLE_ENDIAN);
        int n = b.getInt();
        int[] shape = proc.sampleShape();
        int len = shape[0] * shape[1] * shape[2];
        return new Iterator<>() {
            int i;

            @Override
            public boolean hasNext() {
                return i < n;
            }

            @Override
            public Sample next() {
                if (i >= n) throw new NoSuchElementException();
                i++;
                long id = b.getLong();
                int label = b.getInt();
                boolean finite = b.get() != 0;
                int clipped = b.getInt();
                float[] p = new float[len];
                if (finite) {
                    b.asFloatBuffer().get(p);
                    b.position(b.position() + 4 * len);
                }
                return new Sample(id, proc.position(id), label, proc.target(id), p, finite, clipped);
            }
        };
    }
}
