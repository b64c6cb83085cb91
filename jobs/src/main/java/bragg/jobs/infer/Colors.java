package bragg.jobs.infer;

import java.awt.Color;

/** Colour maps of the pictures: categorical (phases), cyclic (orientations), sequential (probabilities). */
final class Colors {
    private Colors() {
    }

    /** Okabe-Ito: distinguishable with the common colour-vision deficiencies. */
    private static final Color[] CATEGORICAL = {
        new Color(0xE69F00), new Color(0x56B4E9), new Color(0x009E73), new Color(0xF0E442),
        new Color(0x0072B2), new Color(0xD55E00), new Color(0xCC79A7), new Color(0x000000),
    };

    /** Positions without a prediction (masked, unlabelled). */
    static final Color NONE = new Color(0xBBBBBB);

    static Color category(int k) {
        if (k < 0) {
            return NONE;
        }
        if (k < CATEGORICAL.length) {
            return CATEGORICAL[k];
        }
        // More classes than the palette: spread hues with the golden angle.
        return Color.getHSBColor((float) ((k * 0.618034) % 1.0), 0.65f, 0.9f);
    }

    /** An angle as a hue, cyclic over {@code period} degrees (60 for hexagonal, 90 for cubic in-plane symmetry). */
    static Color cyclic(double degrees, double period) {
        if (!Double.isFinite(degrees)) {
            return NONE;
        }
        double f = ((degrees % period) + period) % period / period;
        return Color.getHSBColor((float) f, 0.85f, 0.95f);
    }

    /** Viridis, sampled at 9 points and interpolated; v in [0, 1]. */
    private static final int[] VIRIDIS = {
        0x440154, 0x472D7B, 0x3B528B, 0x2C728E, 0x21918C, 0x28AE80, 0x5EC962, 0xADDC30, 0xFDE725,
    };

    static Color sequential(double v) {
        if (!Double.isFinite(v)) {
            return NONE;
        }
        double x = Math.max(0, Math.min(1, v)) * (VIRIDIS.length - 1);
        int i = Math.min((int) x, VIRIDIS.length - 2);
        double t = x - i;
        int a = VIRIDIS[i];
        int b = VIRIDIS[i + 1];
        return new Color(mix(a >> 16, b >> 16, t), mix(a >> 8, b >> 8, t), mix(a, b, t));
    }

    private static int mix(int a, int b, double t) {
        return (int) Math.round((a & 0xFF) * (1 - t) + (b & 0xFF) * t);
    }
}
