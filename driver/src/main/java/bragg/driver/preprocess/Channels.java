package bragg.driver.preprocess;

import bragg.driver.io.ArrayInfo;
import bragg.driver.io.SampleSource;

/** Channels of an input's samples: C of [C, H, W], 1 for [H, W]. */
final class Channels {
    private Channels() {
    }

    static int of(SampleSource source) {
        ArrayInfo i = source.info();
        return i.sampleDims() == 3 ? i.sampleShape()[0] : 1;
    }
}
