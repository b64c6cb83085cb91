package bragg.driver.preprocess;

import bragg.driver.io.SampleSource;
import bragg.driver.io.SlabReader;
import java.io.IOException;
import java.util.Iterator;

/**
 * The transformed sample blocks of a partition's slabs, one slab at a time (a task holds one slab);
 * opens the readers at the first slab and closes them after the last.
 */
final class SlabIterator implements Iterator<SampleBlock> {
    private final PreprocessPlan plan;
    private final Iterator<Integer> slabs;
    private Readers readers;

    SlabIterator(PreprocessPlan plan, Iterator<Integer> slabs) {
        this.plan = plan;
        this.slabs = slabs;
    }

    @Override
    public boolean hasNext() {
        boolean more = slabs.hasNext();
        if (!more && readers != null) {
            try {
                readers.close();
            } catch (IOException e) {
                throw new java.io.UncheckedIOException(e);
            }
            readers = null;
        }
        return more;
    }

    @Override
    public SampleBlock next() {
        try {
            if (readers == null) readers = Readers.open(plan.layout());
            return plan.layout().process(plan.slab(slabs.next()), readers.in, readers.masks);
        } catch (IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }

    /** The input (and Peregrine mask) readers of one task. */
    private record Readers(SlabReader in, SlabReader[] masks) implements AutoCloseable {
        static Readers open(SampleLayout l) throws IOException {
            SampleSource[] masks = l.masks();
            SlabReader[] m = new SlabReader[masks.length];
            for (int i = 0; i < m.length; i++) m[i] = masks[i].open();
            return new Readers(l.source().open(), m);
        }

        @Override
        public void close() throws IOException {
            in.close();
            for (SlabReader r : masks) r.close();
        }
    }
}
