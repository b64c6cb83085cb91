package bragg.driver.preprocess;

import bragg.driver.io.ArrayInfo;
import bragg.driver.io.SampleSource;
import bragg.driver.io.Slab;
import bragg.driver.io.SlabReader;
import bragg.driver.io.StoredSlab;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
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

    @Override
    public void describe(Map<String, Object> transform) {
    }

    @Override
    public String sampleNoun() {
        return "position";
    }

    @Override
    public List<Sample> process(Slab slab, SlabReader in, SlabReader[] masks) throws IOException {
        ArrayInfo info = source.info();
        int ss = info.sampleSize();
        int c = Channels.of(source);
        int plane = ss / c;
        // 16-bit counts are binned straight from the stored bytes; other inputs are decoded to floats first
        StoredSlab stored = transform.appliesStored(info.dtype()) ? in.readStored(slab.first(), slab.count()) : null;
        float[] raw = null;
        if (stored == null) {
            raw = new float[slab.count() * ss];
            in.read(slab.first(), slab.count(), raw);
        }
        PatternTransform.StoredScratch storedScratch = stored == null ? null : transform.storedScratch();
        boolean integer = !info.dtype().isFloat();    // decoded integers are always finite: skip the scan
        float[] scratch = stored == null ? new float[plane] : null;
        long[] posShape = info.positionShape();
        int oPlane = transform.outH() * transform.outW();
        List<Sample> out = new ArrayList<>(slab.count());
        for (int s = 0; s < slab.count(); s++) {
            long id = slab.first() + s;
            boolean finite = integer || PreprocessStats.finite(raw, s * ss, ss);
            float[] p = new float[c * oPlane];
            int clipped = 0;
            if (finite) {
                for (int ch = 0; ch < c; ch++) {
                    clipped += stored != null
                            ? transform.applyStored(stored.bytes(), stored.sampleStart(s) + ch * plane * 2, stored.dtype(), p, ch * oPlane, storedScratch)
                            : transform.apply(raw, s * ss + ch * plane, p, ch * oPlane, scratch);
                }
            }
            out.add(new Sample(id, position(id, posShape), labels == null ? -1 : labels[(int) id], target(id), p, finite, clipped));
        }
        return out;
    }

    /** The regression targets of position id (empty when there are none). */
    float[] target(long id) {
        return targets == null ? new float[0] : java.util.Arrays.copyOfRange(targets, (int) id * targetsPer, (int) (id + 1) * targetsPer);
    }

    /** The scan position of sample id. */
    int[] position(long id) {
        return position(id, source.info().positionShape());
    }

    private static int[] position(long id, long[] shape) {
        int[] p = new int[shape.length];
        long r = id;
        for (int i = shape.length - 1; i >= 0; i--) {
            p[i] = (int) (r % shape[i]);
            r /= shape[i];
        }
        return p;
    }
}
