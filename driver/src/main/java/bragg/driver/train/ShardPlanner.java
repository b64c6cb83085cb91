package bragg.driver.train;

import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import org.apache.spark.Partitioner;
import org.apache.spark.api.java.JavaPairRDD;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import scala.Tuple2;

/**
 * Plans N equal shards, one per replica. Every rank must make the same number of steps (each
 * step is one all-reduce; a rank with one step fewer would leave the others waiting), so the
 * short shards wrap around to the start of the dataset:
 * <pre>
 *   M samples sorted by id, N ranks, S = ceil(M / N) samples per rank
 *   sample j of rank r = global sample (j*N + r) mod M        j = 0 .. S-1
 * </pre>
 * With no shuffle, the first b samples of every rank together are the first N*b of the dataset,
 * which is what makes N replicas of batch b equal one replica of batch N*b.
 */
public final class ShardPlanner {
    private ShardPlanner() {
    }

    /** What the plan holds: M samples, S per rank. */
    public record Plan(long samples, int ranks, long perRank) {
        /** Samples that appear twice because their shard wrapped around. */
        public long wrapped() {
            return perRank * ranks - samples;
        }
    }

    /** The plan for {@code samples} rows on {@code ranks} replicas; fails clearly when there is nothing to train on. */
    public static Plan plan(long samples, int ranks) {
        if (ranks < 1) {
            throw new IllegalArgumentException("bragg.train.replicas must be >= 1, found " + ranks);
        }
        if (samples == 0) {
            throw new IllegalArgumentException("the training set is empty (no shard rows outside the held-out region)");
        }
        return new Plan(samples, ranks, (samples + ranks - 1) / ranks);
    }

    /**
     * The rows {@code (id, label, target, pattern)} as N partitions, partition r = rank r's samples in
     * order j. Keys pack (rank, j) so that a sort within each partition restores the order j
     * whatever order the shuffle delivered the rows in (resume and equivalence need the same
     * order on every attempt).
     */
    public static JavaPairRDD<Long, ShardSample> partition(Dataset<Row> rows, Plan plan) {
        int n = plan.ranks();
        long m = plan.samples();
        long s = plan.perRank();
        // A global order by id first: Parquet read order is not a contract.
        JavaPairRDD<Row, Long> indexed = rows.select("id", "label", "target", "pattern").orderBy("id").javaRDD().zipWithIndex();
        return indexed.flatMapToPair(t -> keyed(t._1(), t._2(), n, m, s))
                .repartitionAndSortWithinPartitions(new RankPartitioner(n));
    }

    private static Iterator<Tuple2<Long, ShardSample>> keyed(Row row, long i, int n, long m, long s) {
        List<Float> t = row.getList(2);
        float[] target = new float[t.size()];
        for (int k = 0; k < target.length; k++) {
            target[k] = t.get(k);
        }
        ShardSample x = new ShardSample(row.getLong(0), row.getInt(1), target, (byte[]) row.get(3));
        List<Tuple2<Long, ShardSample>> out = new ArrayList<>(2);
        // Global index g = j*N + r takes sample g mod M: sample i goes to g = i, i+M, i+2M, ... < S*N
        // (more than once only when M < N).
        for (long g = i; g < s * n; g += m) {
            out.add(new Tuple2<>(key((int) (g % n), g / n), x));
        }
        return out.iterator();
    }

    static long key(int rank, long j) {
        return ((long) rank << 40) | j;
    }

    static int rankOf(long key) {
        return (int) (key >>> 40);
    }

    /** Partition r holds the keys of rank r. */
    static final class RankPartitioner extends Partitioner {
        private final int n;

        RankPartitioner(int n) {
            this.n = n;
        }

        @Override
        public int numPartitions() {
            return n;
        }

        @Override
        public int getPartition(Object key) {
            return rankOf((Long) key);
        }

        @Override
        public boolean equals(Object o) {
            return o instanceof RankPartitioner p && p.n == n;
        }

        @Override
        public int hashCode() {
            return n;
        }
    }
}
