package bragg.driver.preprocess;

/** The last transform step: global affine (x - a) * b, or per-pattern standardisation. */
final class Normalize {
    private Normalize() {
    }

    /** Normalises the pattern p[off .. off + n) in place. */
    static void apply(float[] p, int off, int n, float a, float b, boolean perPattern) {
        if (perPattern) {
            double s = 0;
            double s2 = 0;
            for (int i = off; i < off + n; i++) {
                double x = p[i];
                s += x;
                s2 += x * x;
            }
            double m = s / n;
            double sd = Math.sqrt(Math.max(0, s2 / n - m * m));
            a = (float) m;
            b = sd > 0 ? (float) (1 / sd) : 1f;
        }
        if (a == 0f && b == 1f) return;
        for (int i = off; i < off + n; i++) p[i] = (p[i] - a) * b;
    }
}
