package bragg.jobs.bench;

import java.io.IOException;
import java.io.Serializable;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.util.List;
import org.apache.spark.BarrierTaskContext;
import org.apache.spark.SparkEnv;
import org.apache.spark.api.java.JavaRDD;
import org.apache.spark.api.java.JavaSparkContext;
import org.apache.spark.rdd.RDD;
import scala.collection.Iterator;
import scala.jdk.javaapi.CollectionConverters;
import scala.reflect.ClassTag;
import scala.reflect.ClassTag$;
import scala.runtime.AbstractFunction1;

/**
 * The loopback limit on a cluster: one TCP stream between the two executors of a 2-task barrier
 * stage, the same JVMs, cores and hosts the 2-rank ring runs between (a stream between the
 * driver and a JVM of its own would run on cores the executors do not have). Rank 1 listens,
 * rank 0 sends; with duplex, rank 1 sends as much back at the same time (the ring's pattern:
 * each rank sends and receives at once) and the result is what each direction carried per second.
 */
final class ExecutorLoopback {
    private ExecutorLoopback() {
    }

    /** One direction's GB/s (and, one way, each end's CPU per GB), measured on rank 0. */
    static LoopbackPeer.Result measure(JavaSparkContext jsc, long bytes, boolean duplex) {
        ClassTag<LoopbackPeer.Result> tag = ClassTag$.MODULE$.apply(LoopbackPeer.Result.class);
        RDD<LoopbackPeer.Result> r = jsc.parallelize(List.of(0, 1), 2).rdd().barrier().mapPartitions(new Stream(bytes, duplex), false, tag);
        return new JavaRDD<>(r, tag).collect().get(0);
    }

    /** Rank 1 listens and drains, rank 0 sends and times: what one barrier task does. */
    private static final class Stream extends AbstractFunction1<Iterator<Integer>, Iterator<LoopbackPeer.Result>> implements Serializable {
        private final long bytes;
        private final boolean duplex;

        Stream(long bytes, boolean duplex) {
            this.bytes = bytes;
            this.duplex = duplex;
        }

        @Override
        public Iterator<LoopbackPeer.Result> apply(Iterator<Integer> ignored) {
            try {
                return CollectionConverters.asScala(run().iterator());
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IllegalStateException("executor loopback interrupted (task killed)", e);
            }
        }

        private List<LoopbackPeer.Result> run() throws IOException, InterruptedException {
            BarrierTaskContext ctx = BarrierTaskContext.get();
            String host = SparkEnv.get().blockManager().blockManagerId().host();
            if (ctx.partitionId() == 1) {
                try (ServerSocket ss = LoopbackPeer.listener(InetAddress.getByName(host))) {
                    ctx.allGather(host + ":" + ss.getLocalPort());
                    try (Socket s = ss.accept()) {
                        LoopbackPeer.serve(s, duplex ? bytes : 0);
                    }
                }
                return List.of();
            }
            String[] peer = ctx.allGather("")[1].split(":");
            try (Socket s = LoopbackPeer.connect(new InetSocketAddress(peer[0], Integer.parseInt(peer[1])))) {
                return List.of(LoopbackPeer.stream(s, bytes, duplex));
            }
        }
    }
}
