package bragg.driver.generate;

import java.util.SplittableRandom;

/** Poisson counts: inversion for small means, a rounded normal for large ones (error < 1% of sd above 30). */
final class Poisson {
    private Poisson() {
    }

    static int sample(SplittableRandom r, double lambda) {
        if (lambda <= 0) return 0;
        if (lambda < 30) {
            double p = Math.exp(-lambda);
            double cdf = p;
            double u = r.nextDouble();
            int k = 0;
            while (u > cdf && k < 200) {
                k++;
                p *= lambda / k;
                cdf += p;
            }
            return k;
        }
        long v = Math.round(lambda + Math.sqrt(lambda) * gaussian(r));
        return (int) Math.max(0, Math.min(Integer.MAX_VALUE, v));
    }

    static double gaussian(SplittableRandom r) {
        double u1 = r.nextDouble();
        double u2 = r.nextDouble();
        return Math.sqrt(-2 * Math.log(1 - u1)) * Math.cos(2 * Math.PI * u2);
    }
}
