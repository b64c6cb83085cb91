package bragg.jobs.infer;

import bragg.driver.shards.Manifest;
import java.util.List;

/** The positions grid of a shard folder: [scan_y, scan_x] (4dstem) or [layers, tiles_y, tiles_x] (lpbf). */
public final class Positions {
    private Positions() {
    }

    /** From the manifest's {@code positions_shape}, written by preprocess. */
    public static long[] shape(Manifest m) {
        Object v = m.extra().get("positions_shape");
        if (v instanceof long[] a) {
            return a.clone();
        }
        if (v instanceof List<?> list && !list.isEmpty()) {
            long[] out = new long[list.size()];
            for (int i = 0; i < out.length; i++) {
                out[i] = ((Number) list.get(i)).longValue();
            }
            return out;
        }
        throw new IllegalArgumentException("manifest of kind " + m.kind() + " has no positions_shape (found " + v
                + "); re-run preprocess with this version of bragg");
    }
}
