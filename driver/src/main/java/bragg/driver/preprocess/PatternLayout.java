package bragg.driver.preprocess;

import bragg.driver.io.ArrayInfo;
import bragg.driver.io.SampleSource;
import bragg.driver.io.Slab;
import bragg.driver.io.SlabReader;
import bragg.driver.io.StoredSlab;
import java.io.IOException;
import java.util.Map;

/**
 * 4dstem: slab = positions [a, b); sample = one pattern -> [C, h, w], pos [y, x] (or [i]),
 * with the position's label and regression targets.
 */
final class PatternLayout implements SampleLayout {
    final SampleSource source;
    final PatternTransform transform;
    final int[] labels;             // per position; null = none
    final float[] targets;          // [positions, T] or null
    final int targetsPer;           // T

    PatternLayout(SampleSource source, PatternTransform transform, int[] labels, float[] targets, int targetsPer) {
        this.source = source;
        this.transform = transform;
        this.labels = labels;
        this.targets = targets;
        this.targetsPer = targetsPer;
    }

    @Override
    public String kind() {
        return "4dstem";
    }

    @Override
    public SampleSource source() {
        return source;
    }

    @Override
    public int[] sampleShape() {
        return new int[]{Channels.of(source), transform.outH(), transform.outW()};
    }

    @Override
    public long[] positionsShape() {
        return source.info().positionShape();
    }

    @Override
    public boolean cacheTransformed() {
        int[] s = sampleShape();
        long rawPerSample = (long) source.info().sampleSize() * source.info().dtype().size;
        return 4L * s[0] * s[1] * s[2] <= rawPerSample;
    }

    /**
     * 1 Mi elements (2 MB of 16-bit counts, 16 patterns of 256x256): the slab just read is still in
     * the core's cache when it is binned, and its block of transformed patterns stays under G1's
     * humongous-object size, so neither the read buffer nor the block costs a trip to memory.
     */
    @Override
    public long slabElements() {
        return 1L << 20;
    }

    @Override
    public void describe(Map<String, Object> transform) {
    }

    @Override
    public String sampleNoun() {
        return "position";
    }

    @Override
    public SampleBlock process(Slab slab, SlabReader in, SlabReader[] masks) throws IOException {
        ArrayInfo info = source.info();
        int ss = info.sampleSize();
        int c = Channels.of(source);
        int plane = ss / c;
        long[] posShape = info.positionShape();
        int oPlane = transform.outH() * transform.outW();
        int n = slab.count();
        SampleBlock out = new SampleBlock(n, posShape.length, targetsPer, c * oPlane);
        // 16-bit counts are binned straight from the stored bytes; other inputs are decoded to floats first
        StoredSlab stored = transform.appliesStored(info.dtype()) ? in.readStored(slab.first(), n) : null;
        float[] raw = null;
        if (stored == null) {
            raw = new float[n * ss];
            in.read(slab.first(), n, raw);
        }
        PatternTransform.StoredScratch storedScratch = stored == null ? null : transform.storedScratch();
        boolean integer = !info.dtype().isFloat();    // decoded integers are always finite: skip the scan
        float[] scratch = stored == null ? new float[plane] : null;
        // the statistics of the patterns, gathered as each plane is made (not in a pass of their own)
        ValueMoments moments = new ValueMoments();
        out.moments = moments;
        for (int s = 0; s < n; s++) {
            long id = slab.first() + s;
            out.id[s] = id;
            position(id, posShape, out.pos, s * posShape.length);
            out.label[s] = labels == null ? -1 : labels[(int) id];
            if (targets != null) System.arraycopy(targets, (int) id * targetsPer, out.target, s * targetsPer, targetsPer);
            boolean finite = integer || PreprocessStats.finite(raw, s * ss, ss);
            out.finite[s] = finite;
            if (!finite) continue;
            int clipped = 0;
            int p = out.patternStart(s);
            for (int ch = 0; ch < c; ch++) {
                if (stored != null) {
                    clipped += transform.applyStored(stored.bytes(), stored.sampleStart(s) + ch * plane * 2, stored.dtype(), out.pattern,
                            p + ch * oPlane, storedScratch, moments);
                } else {
                    clipped += transform.apply(raw, s * ss + ch * plane, out.pattern, p + ch * oPlane, scratch);
                    moments.add(out.pattern, p + ch * oPlane, oPlane);
                }
            }
            out.clipped[s] = clipped;
        }
        return out;
    }

    /** The scan position of sample id into out[off .. off + shape.length). */
    private static void position(long id, long[] shape, int[] out, int off) {
        long r = id;
        for (int i = shape.length - 1; i >= 0; i--) {
            out[off + i] = (int) (r % shape[i]);
            r /= shape[i];
        }
    }
}
