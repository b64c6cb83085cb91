package bragg.driver.io;

import java.io.IOException;
import java.io.Serializable;
import java.util.List;

/**
 * A dataset of equally shaped samples in one file or folder, described by its header alone.
 * Serializable: the driver builds it from headers and ships it to the tasks, each of which
 * calls {@link #open()} and reads its own slabs.
 */
public interface SampleSource extends Serializable {
    /** What the header says: shape, dtype, byte order, axes, metadata. */
    ArrayInfo info();

    /** Opens the data for reading slabs (called inside a task). */
    SlabReader open() throws IOException;

    /** The files this source reads, for checksums in the shard manifest: by default the one file of {@link #info()}. */
    default List<String> files() {
        return List.of(info().path());
    }

    /**
     * Class labels the layout itself carries (folder-per-class images), one per sample, or
     * null when the layout has none. {@link #labelNames()} names the indices.
     */
    default int[] layoutLabels() {
        return null;
    }

    default List<String> labelNames() {
        return List.of();
    }
}
