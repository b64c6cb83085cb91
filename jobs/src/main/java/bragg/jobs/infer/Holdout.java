package bragg.jobs.infer;

import bragg.driver.shards.Manifest;
import org.apache.spark.sql.Column;
import org.apache.spark.sql.functions;

/**
 * The held-out region of a dataset (config key {@code bragg.data.holdout}): the right-most scan
 * columns of a 4D-STEM scan, the top layers of an LPBF stack. A region rather than random
 * positions, because neighbouring patterns are nearly identical and would leak between training
 * and test. Train filters it out; evaluate scores on it alone.
 *
 * @param axis      position axis the region is cut along (1 = scan x; 0 = layer)
 * @param threshold positions with {@code pos[axis] >= threshold} are held out
 * @param extent    size of that axis
 */
public record Holdout(int axis, int threshold, int extent) {

    /** From the manifest's positions shape and the held-out fraction (0 = nothing held out). */
    public static Holdout of(Manifest m, double fraction) {
        if (!(fraction >= 0 && fraction < 1)) {
            throw new IllegalArgumentException("held-out fraction must be in [0, 1), got " + fraction);
        }
        long[] shape = Positions.shape(m);
        int axis = m.kind().equals("lpbf") ? 0 : shape.length - 1;
        int extent = (int) shape[axis];
        int held = (int) Math.round(extent * fraction);
        if (fraction > 0 && (held < 1 || held >= extent)) {
            throw new IllegalArgumentException("bragg.data.holdout = " + fraction + " of " + extent
                    + (axis == 0 ? " layers" : " scan columns") + " leaves " + (extent - held) + " for training and "
                    + held + " for evaluation; both need at least one");
        }
        return new Holdout(axis, extent - held, extent);
    }

    /** Rows of the held-out region. */
    public Column heldOut() {
        return functions.element_at(functions.col("pos"), axis + 1).geq(threshold);
    }

    /** Rows for training. */
    public Column training() {
        return functions.not(heldOut());
    }

    public boolean isHeldOut(int[] pos) {
        return pos[axis] >= threshold;
    }

    /** "scan columns 48..63" or "layers 40..49", for reports. */
    public String describe() {
        String what = axis == 0 ? "layers" : "scan columns";
        return threshold >= extent ? "none" : what + " " + threshold + ".." + (extent - 1) + " of " + extent;
    }

}
