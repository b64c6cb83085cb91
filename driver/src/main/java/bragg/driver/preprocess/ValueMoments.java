package bragg.driver.preprocess;

/**
 * Count, sum, sum of squares and extremes of transformed values: what the statistics pass keeps
 * of the patterns. Gathered while the values are made (the binning adds each plane as it writes
 * it), so the statistics pass need not read the patterns again.
 */
final class ValueMoments {
    long count;
    double sum;
    double sumSq;
    double min = Double.POSITIVE_INFINITY;
    double max = Double.NEGATIVE_INFINITY;

    /** Adds v[off .. off + n). */
    void add(float[] v, int off, int n) {
        double s = 0;
        double s2 = 0;
        double lo = min;
        double hi = max;
        for (int i = off; i < off + n; i++) {
            double x = v[i];
            s += x;
            s2 += x * x;
            if (x < lo) lo = x;
            if (x > hi) hi = x;
        }
        add(n, s, s2, lo, hi);
    }

    /** Adds n values of the given sum, sum of squares and extremes. */
    void add(long n, double s, double s2, double lo, double hi) {
        count += n;
        sum += s;
        sumSq += s2;
        min = Math.min(min, lo);
        max = Math.max(max, hi);
    }
}
