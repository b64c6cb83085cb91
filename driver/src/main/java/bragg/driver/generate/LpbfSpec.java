package bragg.driver.generate;

/**
 * Parameters of a synthetic LPBF layer stack (validated; errors name the field).
 *
 * @param layers  number of layers
 * @param size    layer image side in pixels
 * @param tile    patch side in pixels for the per-patch defect labels (must divide size)
 * @param defects number of defects (pores and lack-of-fusion regions) started over the build
 * @param rotation scan-stripe rotation per layer in degrees (67 is the common choice)
 * @param seed    everything follows from it
 */
public record LpbfSpec(int layers, int size, int tile, int defects, double rotation, long seed) {
    public LpbfSpec {
        if (layers <= 0) throw new IllegalArgumentException("generate option layers must be > 0, got " + layers);
        if (size < 16) throw new IllegalArgumentException("generate option size must be >= 16 pixels, got " + size);
        if (tile <= 0 || size % tile != 0) throw new IllegalArgumentException("generate option tile must divide size " + size + ", got " + tile);
        if (defects < 0) throw new IllegalArgumentException("generate option defects must be >= 0, got " + defects);
    }

    public static LpbfSpec of(int layers, int size, int tile, long seed) {
        return new LpbfSpec(layers, size, tile, Math.max(2, layers / 4), 67, seed);
    }
}
