package bragg.driver.generate;

/**
 * Parameters of a synthetic 4D-STEM scan (validated; errors name the field).
 *
 * @param scanY     scan rows
 * @param scanX     scan columns
 * @param detector  detector pixels per side (patterns are detector x detector)
 * @param grains    Voronoi grains across the scan (each gets a phase and an in-plane orientation)
 * @param dose      mean electrons per pattern (Poisson counting noise)
 * @param descan    descan shift of the pattern centre across the full scan width, in pixels
 * @param blur      detector point-spread Gaussian sigma in pixels
 * @param diskRadius Bragg/central disk radius in pixels (convergence semi-angle)
 * @param seed      everything follows from it
 */
public record StemSpec(int scanY, int scanX, int detector, int grains, double dose, double descan, double blur,
                       double diskRadius, long seed) {
    public StemSpec {
        pos("scan_y", scanY);
        pos("scan_x", scanX);
        if (detector < 16) throw new IllegalArgumentException("generate option detector must be >= 16 pixels, got " + detector);
        pos("grains", grains);
        if (!(dose > 0)) throw new IllegalArgumentException("generate option dose must be > 0 electrons per pattern, got " + dose);
        if (!(blur >= 0)) throw new IllegalArgumentException("generate option blur must be >= 0, got " + blur);
        if (!(diskRadius > 0)) throw new IllegalArgumentException("generate option disk_radius must be > 0, got " + diskRadius);
    }

    private static void pos(String f, int v) {
        if (v <= 0) throw new IllegalArgumentException("generate option " + f + " must be > 0, got " + v);
    }

    public static StemSpec of(int scanY, int scanX, int detector, long seed) {
        return new StemSpec(scanY, scanX, detector, Math.max(2, scanY * scanX / 64), 2.0e4, detector / 32.0, 0.8, Math.max(2, detector / 48.0), seed);
    }

    /** Bytes of the uint16 pattern array. */
    public long bytes() {
        return (long) scanY * scanX * detector * detector * 2;
    }
}
