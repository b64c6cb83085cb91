package bragg.driver.preprocess;

import java.io.Serializable;
import java.util.Iterator;

/** Lazy map over iterators (a Spark partition is an iterator; nothing is collected). */
final class Iterators {
    private Iterators() {
    }

    /** A function a Spark closure may capture. */
    interface Fn<A, B> extends Serializable {
        B apply(A a);
    }

    static <A, B> Iterator<B> map(Iterator<A> in, Fn<A, B> f) {
        return new Iterator<>() {
            @Override
            public boolean hasNext() {
                return in.hasNext();
            }

            @Override
            public B next() {
                return f.apply(in.next());
            }
        };
    }
}
