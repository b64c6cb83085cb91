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

    static final byte[] SECRET = "0123456789abcdef0123456789abcdef".getBytes();

    static <T> List<T> run(int n, CollectiveConfig cfg, List<ServerSocket> listeners, Body<T> body) throws Exception {
        List<PeerAddress> peers = new ArrayList<>();
        for (int r = 0; r < n; r++) {
            peers.add(new PeerAddress(r, "127.0.0.1", listeners.get(r).getLocalPort()));
        }
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
            List<T> out = new ArrayList<>();
            for (Future<T> f : fs) {
                out.add(f.get(60, TimeUnit.SECONDS));
            }
            return out;
        } finally {
            pool.shutdownNow();
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
