package bragg.driver.preprocess;

/** The last transform step: global affine (x - a) * b, or per-pattern standardisation. */
final class Normalize {
    private Normalize() {
    }

    static void apply(float[] p, float a, float b, boolean perPattern) {
        if (perPattern) {
            double s = 0;
            double s2 = 0;
            for (float x : p) {
                s += x;
                s2 += (double) x * x;
            }
            double m = s / p.length;
            double sd = Math.sqrt(Math.max(0, s2 / p.length - m * m));
            a = (float) m;
            b = sd > 0 ? (float) (1 / sd) : 1f;
        }
        if (a == 0f && b == 1f) return;
        for (int i = 0; i < p.length; i++) p[i] = (p[i] - a) * b;
    }
}
