package bragg.driver.preprocess;

import java.nio.ByteBuffer;

/**
 * The transformed samples of one slab, column by column: one array per field for the whole slab
 * instead of an object and five arrays per sample, so the passes run plain loops over it and the
 * cache between them is a handful of bulk copies.
 * <pre>
 *   id       [n]       source sample index
 *   pos      [n, D]    sample position (D = posDims)
 *   label    [n]       class, -1 none
 *   target   [n, T]    regression targets (T = targetsPer, may be 0)
 *   pattern  [n, P]    transformed pattern [C, H, W] (P = patternLength), before normalisation
 *   finite   [n]       false when the raw values held NaN or Inf (pattern left zero)
 *   clipped  [n]       negative values clipped to 0 before log/sqrt
 *   moments            of the finite samples' patterns, when the layout gathered them while
 *                      making the patterns (else null: {@link #addTo} reads the patterns)
 * </pre>
 */
final class SampleBlock {
    final int n;
    final int posDims;
    final int targetsPer;
    final int patternLength;
    final long[] id;
    final int[] pos;
    final int[] label;
    final float[] target;
    final float[] pattern;
    final boolean[] finite;
    final int[] clipped;
    ValueMoments moments;

    SampleBlock(int n, int posDims, int targetsPer, int patternLength) {
        this(n, posDims, targetsPer, patternLength, new long[n], new int[n * posDims], new int[n], new float[n * targetsPer],
                new float[Math.multiplyExact(n, patternLength)], new boolean[n], new int[n]);
    }

    private SampleBlock(int n, int posDims, int targetsPer, int patternLength, long[] id, int[] pos, int[] label, float[] target,
                        float[] pattern, boolean[] finite, int[] clipped) {
        this.n = n;
        this.posDims = posDims;
        this.targetsPer = targetsPer;
        this.patternLength = patternLength;
        this.id = id;
        this.pos = pos;
        this.label = label;
        this.target = target;
        this.pattern = pattern;
        this.finite = finite;
        this.clipped = clipped;
    }

    /** Offset of sample i's pattern in {@link #pattern}. */
    int patternStart(int i) {
        return i * patternLength;
    }

    /** Gathers the statistics of the finite samples into st and counts the others. */
    void addTo(PreprocessStats st) {
        ValueMoments m = moments;
        if (m == null) {
            m = new ValueMoments();
            for (int i = 0; i < n; i++) if (finite[i]) m.add(pattern, patternStart(i), patternLength);
        }
        st.add(m);
        for (int i = 0; i < n; i++) {
            if (!finite[i]) {
                st.nonFiniteSamples++;
                st.firstNonFinite = Math.min(st.firstNonFinite, id[i]);
                continue;
            }
            st.samples++;
            st.clippedNegative += clipped[i];
            st.perLabel[label[i] + 1]++;
        }
    }

    /**
     * The block's bytes as {@link BlockCache} keeps them between the passes: a handful of bulk
     * copies. Little-endian:
     * <pre>
     * [n, D, T, P int] [moments: count long (-1: none), sum, sumSq, min, max double]
     * [id long * n] [pos int * n*D] [label int * n] [clipped int * n]
     * [finite byte * n] [target float * n*T] [pattern float * n*P]
     * </pre>
     */
    int encodedSize() {
        long size = 16L + 40L + 8L * n + 4L * n * posDims + 8L * n + n + 4L * n * targetsPer + 4L * n * patternLength;
        return Math.toIntExact(size);
    }

    /** Writes {@link #encodedSize} bytes at b's position (b little-endian), advancing it. */
    void encodeInto(ByteBuffer b) {
        b.putInt(n).putInt(posDims).putInt(targetsPer).putInt(patternLength);
        if (moments == null) b.putLong(-1).putDouble(0).putDouble(0).putDouble(0).putDouble(0);
        else b.putLong(moments.count).putDouble(moments.sum).putDouble(moments.sumSq).putDouble(moments.min).putDouble(moments.max);
        b.asLongBuffer().put(id);
        b.position(b.position() + 8 * n);
        b.asIntBuffer().put(pos).put(label).put(clipped);
        b.position(b.position() + 4 * (n * posDims + 2 * n));
        for (boolean f : finite) b.put((byte) (f ? 1 : 0));
        b.asFloatBuffer().put(target).put(pattern);
        b.position(b.position() + 4 * (n * targetsPer + n * patternLength));
    }

    /** The inverse of {@link #encodeInto}: reads one block at b's position (b little-endian), advancing it. */
    static SampleBlock decode(ByteBuffer b) {
        SampleBlock s = new SampleBlock(b.getInt(), b.getInt(), b.getInt(), b.getInt());
        long count = b.getLong();
        double sum = b.getDouble();
        double sumSq = b.getDouble();
        double min = b.getDouble();
        double max = b.getDouble();
        if (count >= 0) {
            s.moments = new ValueMoments();
            s.moments.add(count, sum, sumSq, min, max);
        }
        b.asLongBuffer().get(s.id);
        b.position(b.position() + 8 * s.n);
        b.asIntBuffer().get(s.pos).get(s.label).get(s.clipped);
        b.position(b.position() + 4 * (s.n * s.posDims + 2 * s.n));
        for (int i = 0; i < s.n; i++) s.finite[i] = b.get() != 0;
        b.asFloatBuffer().get(s.target).get(s.pattern);
        b.position(b.position() + 4 * (s.n * s.targetsPer + s.n * s.patternLength));
        return s;
    }
}
