package bragg.driver.preprocess;

import bragg.driver.io.SampleSource;
import bragg.driver.io.Slab;
import bragg.driver.io.SlabReader;
import java.io.IOException;
import java.io.Serializable;
import java.util.Map;

/**
 * How the samples of a preprocess job are cut from its input, inside a task: one diffraction
 * pattern per scan position ({@link PatternLayout}) or tiles of LPBF layers stacked with the
 * layers below ({@link TileLayout}). Built on the driver from headers, shipped to the tasks.
 */
interface SampleLayout extends Serializable {
    /** The manifest's kind: "4dstem" or "lpbf". */
    String kind();

    SampleSource source();

    /** Sources read beside the input for labels (Peregrine class masks), or none. */
    default SampleSource[] masks() {
        return new SampleSource[0];
    }

    /** Output pattern shape [C, H, W]. */
    int[] sampleShape();

    /** Shape of the sample positions, as the manifest records it. */
    long[] positionsShape();

    /** The samples of one slab of the input. */
    SampleBlock process(Slab slab, SlabReader in, SlabReader[] masks) throws IOException;

    /** Input elements a task reads per slab (the slab is transformed while it is in cache). */
    long slabElements();

    /**
     * True when the transformed samples take no more bytes than their raw input, so keeping them
     * between the passes costs less than reading and transforming the input again.
     */
    boolean cacheTransformed();

    /** Adds the layout's own transform settings to the manifest's transform record. */
    void describe(Map<String, Object> transform);

    /** What a sample id counts, for error messages. */
    String sampleNoun();
}
