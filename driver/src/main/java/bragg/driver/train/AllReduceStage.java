package bragg.driver.train;

import bragg.worker.collective.Collective;
import bragg.worker.collective.CollectiveConfig;
import java.io.IOException;
import java.io.Serializable;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.FloatBuffer;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import org.apache.spark.BarrierTaskContext;
import org.apache.spark.api.java.JavaRDD;
import org.apache.spark.api.java.JavaSparkContext;
import org.apache.spark.rdd.RDD;
import scala.collection.Iterator;
import scala.jdk.javaapi.CollectionConverters;
import scala.reflect.ClassTag;
import scala.reflect.ClassTag$;
import scala.runtime.AbstractFunction1;

/**
 * A barrier stage that only all-reduces: N tasks join the collective exactly as training does,
 * then all-reduce a buffer of known contents {@code reps} times. The tests check the sums with it,
 * and {@code bragg bench allreduce} times it.
 * <pre>
 *   buf[i] of rank r = value(seed, r, i) in [-1, 1)      i = 0 .. floats-1
 *   after one all-reduce every rank holds sum_r value(seed, r, i)
 * </pre>
 */
public final class AllReduceStage {
    private AllReduceStage() {
    }

    /** One rank's view: its result (of the first all-reduce) and the wall time of each repetition. */
    public static final class RankResult implements Serializable {
        public int rank;
        public float[] sum;
        public long[] nanos;

        public RankResult() {
        }
    }

    /** The value rank {@code r} contributes at index {@code i}. */
    public static float value(long seed, int r, int i) {
        return (float) (new SplittableRandom(seed * 1_000_003L + (long) r * 7919L + i).nextDouble() * 2 - 1);
    }

    /**
     * Runs the stage on {@code n} barrier tasks.
     *
     * @param config  the ring's settings (compression among them)
     * @param keepSum return the summed buffer (tests); false for large benchmark buffers
     */
    public static List<RankResult> run(JavaSparkContext jsc, int n, String transport, CollectiveConfig config, int floats,
                                       int reps, long seed, boolean keepSum) {
        TrainDriver.checkBarrierTimeout(jsc.getConf());
        List<Integer> ranks = new ArrayList<>();
        for (int r = 0; r < n; r++) {
            ranks.add(r);
        }
        ClassTag<RankResult> tag = ClassTag$.MODULE$.apply(RankResult.class);
        JobSecret secret = JobSecret.forAttempt(jsc.getConf(), jsc.sc().applicationId(), 0);
        RDD<RankResult> out = jsc.parallelize(ranks, n).rdd().barrier()
                .mapPartitions(new Body(transport, config, secret, floats, reps, seed, keepSum), false, tag);
        return new JavaRDD<>(out, tag).collect();
    }

    private static final class Body extends AbstractFunction1<Iterator<Integer>, Iterator<RankResult>>
            implements Serializable {
        private final String transport;
        private final CollectiveConfig config;
        private final JobSecret secret;
        private final int floats;
        private final int reps;
        private final long seed;
        private final boolean keepSum;

        Body(String transport, CollectiveConfig config, JobSecret secret, int floats, int reps, long seed, boolean keepSum) {
            this.transport = transport;
            this.config = config;
            this.secret = secret;
            this.floats = floats;
            this.reps = reps;
            this.seed = seed;
            this.keepSum = keepSum;
        }

        @Override
        public Iterator<RankResult> apply(Iterator<Integer> ignored) {
            BarrierTaskContext ctx = BarrierTaskContext.get();
            RankResult res = new RankResult();
            res.rank = ctx.partitionId();
            res.nanos = new long[reps];
            float[] mine = new float[floats];
            for (int i = 0; i < floats; i++) {
                mine[i] = value(seed, res.rank, i);
            }
            // [floats] direct and little-endian, as the training step hands the gradient to the ring
            ByteBuffer buf = ByteBuffer.allocateDirect(4 * floats).order(ByteOrder.LITTLE_ENDIAN);
            FloatBuffer view = buf.asFloatBuffer();
            try (Collective c = BarrierRendezvous.join(ctx, transport, secret, config)) {
                for (int k = 0; k < reps; k++) {
                    view.put(0, mine);
                    c.barrier();   // start together, so each repetition times the exchange, not the stragglers
                    long t0 = System.nanoTime();
                    c.allReduce(buf, 0, floats);
                    res.nanos[k] = System.nanoTime() - t0;
                    if (k == 0 && keepSum) {
                        res.sum = new float[floats];
                        view.get(0, res.sum);
                    }
                }
            } catch (IOException e) {
                throw new IllegalStateException("all-reduce rank " + res.rank + ": " + e.getMessage(), e);
            }
            return CollectionConverters.asScala(List.of(res).iterator());
        }
    }
}
