package bragg.driver.preprocess;

import java.io.Serializable;
import java.util.Collections;
import java.util.Iterator;
import java.util.NoSuchElementException;

/** Lazy map and flatMap over iterators (a Spark partition is an iterator; nothing is collected). */
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

    static <A, B> Iterator<B> flatMap(Iterator<A> in, Fn<A, Iterator<B>> f) {
        return new Iterator<>() {
            private Iterator<B> cur = Collections.emptyIterator();

            @Override
            public boolean hasNext() {
                while (!cur.hasNext()) {
                    if (!in.hasNext()) return false;
                    cur = f.apply(in.next());
                }
                return true;
            }

            @Override
            public B next() {
                if (!hasNext()) throw new NoSuchElementException();
                return cur.next();
            }
        };
    }
}
