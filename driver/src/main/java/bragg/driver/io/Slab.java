package bragg.driver.io;

import java.io.Serializable;
import java.util.ArrayList;
import java.util.List;

/** A run of consecutive samples [first, first + count): the unit one task reads at a time. */
public record Slab(long first, int count) implements Serializable {
    public Slab {
        if (first < 0 || count <= 0) {
            throw new IllegalArgumentException("slab [" + first + ", +" + count + ") is empty or negative");
        }
    }

    /** Cuts [0, total) into slabs of at most perSlab samples. */
    public static List<Slab> plan(long total, int perSlab) {
        if (perSlab <= 0) throw new IllegalArgumentException("samples per slab must be > 0, got " + perSlab);
        List<Slab> out = new ArrayList<>();
        for (long f = 0; f < total; f += perSlab) out.add(new Slab(f, (int) Math.min(perSlab, total - f)));
        return out;
    }
}
