package bragg.driver.preprocess;

import bragg.driver.shards.PatternCodec;
import java.util.Iterator;
import java.util.NoSuchElementException;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;

/** Rows of one partition: the finite samples, normalised and encoded. */
final class RowIterator implements Iterator<Row> {
    private final Iterator<Sample> samples;
    private final float a;
    private final float b;
    private final boolean perPattern;
    private final String dtype;
    private Sample next;

    RowIterator(Iterator<Sample> samples, float a, float b, boolean perPattern, String dtype) {
        this.samples = samples;
        this.a = a;
        this.b = b;
        this.perPattern = perPattern;
        this.dtype = dtype;
    }

    @Override
    public boolean hasNext() {
        while (next == null && samples.hasNext()) {
            Sample s = samples.next();
            if (s.finite()) next = s;
        }
        return next != null;
    }

    @Override
    public Row next() {
        if (!hasNext()) throw new NoSuchElementException();
        Sample s = next;
        next = null;
        float[] p = s.pattern();
        Normalize.apply(p, a, b, perPattern);
        return RowFactory.create(s.id(), s.pos(), s.label(), s.target(), PatternCodec.encode(p, 0, p.length, dtype));
    }
}
