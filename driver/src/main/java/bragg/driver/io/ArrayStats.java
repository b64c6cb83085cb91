package bragg.driver.io;

import java.io.IOException;
import java.util.Locale;

/**
 * Min, max, sum and NaN/Inf counts over every element of a source (finite values only in
 * min/max/sum). Used by inspect, which reads the file locally slab after slab.
 */
public final class ArrayStats {
    public double min = Double.POSITIVE_INFINITY;
    public double max = Double.NEGATIVE_INFINITY;
    public double sum;
    public long nanCount;
    public long infCount;
    public long count;

    public void add(float[] v, int n) {
        for (int i = 0; i < n; i++) {
            float x = v[i];
            if (Float.isNaN(x)) { nanCount++; continue; }
            if (Float.isInfinite(x)) { infCount++; continue; }
            if (x < min) min = x;
            if (x > max) max = x;
            sum += x;
        }
        count += n;
    }

    /** Reads the whole source in slabs of about 64 MB of floats. */
    public static ArrayStats of(SampleSource src) throws IOException {
        ArrayInfo info = src.info();
        int per = (int) Math.max(1, Math.min(Integer.MAX_VALUE, (16L << 20) / info.sampleSize()));
        ArrayStats st = new ArrayStats();
        float[] buf = null;
        try (SlabReader r = src.open()) {
            for (Slab s : Slab.plan(info.sampleCount(), per)) {
                int n = s.count() * info.sampleSize();
                if (buf == null || buf.length < n) buf = new float[n];
                r.read(s.first(), s.count(), buf);
                st.add(buf, n);
            }
        }
        return st;
    }

    /** Number as JSON: integers without a fraction, others in shortest round-trip form. */
    public static String num(double v) {
        if (Double.isNaN(v) || Double.isInfinite(v)) return "null";
        if (v == Math.rint(v) && Math.abs(v) < 1e15) return Long.toString((long) v);
        return String.format(Locale.ROOT, "%s", v);
    }
}
