package bragg.driver.preprocess;

import java.io.Serializable;

/**
 * What the statistics pass gathers, merged across tasks: moments and extremes of the transformed
 * (pre-normalization) values of the kept samples, label counts, and the NaN/Inf samples.
 */
public final class PreprocessStats implements Serializable {
    public long samples;             // kept samples
    public long values;              // kept values
    public double sum;
    public double sumSq;
    public double min = Double.POSITIVE_INFINITY;
    public double max = Double.NEGATIVE_INFINITY;
    public long nonFiniteSamples;    // samples with any NaN or Inf in the raw values
    public long firstNonFinite = Long.MAX_VALUE;  // smallest such sample id
    public long clippedNegative;     // negative values set to 0 before log/sqrt
    public long[] perLabel;          // index 0 = unlabelled (-1), i+1 = label i

    public PreprocessStats(int labels) {
        perLabel = new long[labels + 1];
    }

    /** Adds the moments of kept samples' values. */
    void add(ValueMoments m) {
        values += m.count;
        sum += m.sum;
        sumSq += m.sumSq;
        min = Math.min(min, m.min);
        max = Math.max(max, m.max);
    }

    public PreprocessStats merge(PreprocessStats o) {
        samples += o.samples;
        values += o.values;
        sum += o.sum;
        sumSq += o.sumSq;
        min = Math.min(min, o.min);
        max = Math.max(max, o.max);
        nonFiniteSamples += o.nonFiniteSamples;
        firstNonFinite = Math.min(firstNonFinite, o.firstNonFinite);
        clippedNegative += o.clippedNegative;
        for (int i = 0; i < perLabel.length; i++) perLabel[i] += o.perLabel[i];
        return this;
    }

    public double mean() {
        return values == 0 ? 0 : sum / values;
    }

    /** Population standard deviation over all kept values. */
    public double std() {
        if (values == 0) return 0;
        double m = mean();
        return Math.sqrt(Math.max(0, sumSq / values - m * m));
    }

    static boolean finite(float[] v, int off, int n) {
        for (int i = off; i < off + n; i++) if (!Float.isFinite(v[i])) return false;
        return true;
    }
}
