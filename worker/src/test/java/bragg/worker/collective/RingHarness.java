package bragg.worker.collective;

import java.net.ServerSocket;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;

/** Runs N ring members as threads of this JVM (the Spark tests run them as barrier tasks). */
final class RingHarness {
    interface Body<T> {
        T run(RingCollective c) throws Exception;
    }

    /** Rank {@code rank}'s buffer of {@code len} Gaussian values, the same in every test. */
    static float[] data(int rank, int len) {
        java.util.Random rnd = new java.util.Random(1000L * rank + len);
        float[] a = new float[len];
        for (int i = 0; i < len; i++) {
            a[i] = (float) rnd.nextGaussian();
        }
        return a;
    }

    static final byte[] SECRET = "0123456789abcdef0123456789abcdef".getBytes();

    static <T> List<T> run(int n, CollectiveConfig cfg, List<ServerSocket> listeners, Body<T> body) throws Exception {
        List<T> out = new ArrayList<>();
        for (Future<T> f : start(n, cfg, listeners, body)) {
            out.add(f.get(60, TimeUnit.SECONDS));
        }
        return out;
    }

    /** Runs every rank to its end; entry r is what rank r threw, or null when it returned. */
    static List<Throwable> failures(int n, CollectiveConfig cfg, List<ServerSocket> listeners, Body<?> body)
            throws Exception {
        List<Throwable> out = new ArrayList<>();
        for (Future<?> f : start(n, cfg, listeners, body)) {
            try {
                f.get(60, TimeUnit.SECONDS);
                out.add(null);
            } catch (java.util.concurrent.ExecutionException e) {
                out.add(e.getCause());
            }
        }
        return out;
    }

    static List<PeerAddress> peers(List<ServerSocket> listeners) {
        List<PeerAddress> peers = new ArrayList<>();
        for (int r = 0; r < listeners.size(); r++) {
            peers.add(new PeerAddress(r, "127.0.0.1", listeners.get(r).getLocalPort()));
        }
        return peers;
    }

    private static <T> List<Future<T>> start(int n, CollectiveConfig cfg, List<ServerSocket> listeners, Body<T> body) {
        List<PeerAddress> peers = peers(listeners);
        ExecutorService pool = Executors.newFixedThreadPool(n);
        try {
            List<Future<T>> fs = new ArrayList<>();
            for (int r = 0; r < n; r++) {
                int rank = r;
                Callable<T> task = () -> {
                    try (RingCollective c = RingCollective.connect(rank, peers, SECRET, listeners.get(rank), cfg)) {
                        return body.run(c);
                    }
                };
                fs.add(pool.submit(task));
            }
            return fs;
        } finally {
            pool.shutdown(); // the ranks run on; the pool's threads end with them
        }
    }

    static List<ServerSocket> listeners(int n) throws Exception {
        List<ServerSocket> l = new ArrayList<>();
        for (int r = 0; r < n; r++) {
            l.add(RingCollective.openListener());
        }
        return l;
    }
}
