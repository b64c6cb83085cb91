package bragg.driver.train;

import bragg.driver.shards.PatternCodec;
import bragg.driver.spark.ExecutorCores;
import bragg.driver.spark.TaskGpu;
import bragg.worker.collective.Collective;
import bragg.worker.model.ops.KernelProvider;
import bragg.worker.train.CheckpointStore;
import bragg.worker.train.LocalShard;
import bragg.worker.train.ParameterCheck;
import bragg.worker.train.ReplicaThreads;
import bragg.worker.train.ReplicaTrainer;
import bragg.worker.train.StepMetrics;
import java.io.IOException;
import java.io.Serializable;
import java.util.List;
import org.apache.spark.BarrierTaskContext;
import org.apache.spark.SparkEnv;
import org.deeplearning4j.nn.conf.ComputationGraphConfiguration;
import org.deeplearning4j.nn.graph.ComputationGraph;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import scala.Tuple2;
import scala.collection.Iterator;
import scala.jdk.javaapi.CollectionConverters;
import scala.runtime.AbstractFunction1;

/**
 * The body of one barrier task = one replica, top to bottom: take this partition's samples,
 * meet the other tasks (rendezvous), join the collective, train, close the collective in
 * {@code finally}; rank 0 returns the model.
 */
final class ReplicaTask extends AbstractFunction1<Iterator<Tuple2<Long, ShardSample>>, Iterator<ReplicaOutcome>>
        implements Serializable {
    private static final Logger LOG = LoggerFactory.getLogger(ReplicaTask.class);

    private final ReplicaSpec spec;
    private final JobSecret secret;
    private final int attempt;
    private final MetricsChannel.Endpoint progress;

    /** @param progress where rank 0 sends live step metrics, or null */
    ReplicaTask(ReplicaSpec spec, JobSecret secret, int attempt, MetricsChannel.Endpoint progress) {
        this.spec = spec;
        this.secret = secret;
        this.attempt = attempt;
        this.progress = progress;
    }

    @Override
    public Iterator<ReplicaOutcome> apply(Iterator<Tuple2<Long, ShardSample>> rows) {
        BarrierTaskContext ctx = BarrierTaskContext.get();
        int rank = ctx.partitionId();
        int n = ctx.getTaskInfos().length;
        KernelProvider.assignGpu(TaskGpu.assigned(ctx));
        // BLAS and libnd4j sized to this task's cores and the compute pool to the executor's, so the
        // executor's replicas do not oversubscribe it (nor the node's other executors)
        ReplicaThreads.use(ctx.cpus(), ExecutorCores.of(SparkEnv.get().conf()));
        // The checkpoint store must see what the driver's does (s3a credentials, HDFS names).
        CheckpointStore.useHadoopConfiguration(hadoopConfiguration(SparkEnv.get().conf()));
        try {
            LocalShard shard = materialize(CollectionConverters.asJava(rows), rank);
            try (Collective coll = BarrierRendezvous.join(ctx, spec.transport(), secret, spec.collective());
                 KillWatch watch = KillWatch.start(ctx::isInterrupted, coll, "replica " + rank + " of " + n);
                 MetricsChannel.Sender live = rank == 0 && progress != null ? new MetricsChannel.Sender(progress) : null) {
                ComputationGraph graph = new ComputationGraph(ComputationGraphConfiguration.fromJson(spec.graphJson()));
                graph.init();
                ReplicaTrainer trainer = new ReplicaTrainer(spec.train(), attempt, spec.codeVersion(), spec.provenance());
                if (live != null) {
                    trainer.onStep(live);
                }
                ReplicaTrainer.Result r = trainer.train(graph, shard, coll, hashCheck(ctx, rank));
                ReplicaOutcome out = new ReplicaOutcome();
                out.rank = rank;
                out.steps = r.steps();
                out.paramHash = r.paramHash();
                out.resumedFromStep = r.resumedFromStep();
                if (rank == 0) {
                    out.modelZip = CheckpointStore.serialize(graph, false);
                    out.metrics = r.metrics().stream().map(StepMetrics::csv).toArray(String[]::new);
                }
                return CollectionConverters.asScala(List.of(out).iterator());
            }
        } catch (IOException e) {
            throw new IllegalStateException("replica " + rank + " of " + n + " (attempt " + attempt + "): " + e.getMessage(), e);
        } finally {
            KernelProvider.assignGpu(null);   // the executor reuses this thread for other tasks
        }
    }

    /** The Hadoop configuration Spark builds from {@code conf} (spark.hadoop.* and the rest), as its own readers use. */
    static org.apache.hadoop.conf.Configuration hadoopConfiguration(org.apache.spark.SparkConf conf) {
        return org.apache.spark.deploy.SparkHadoopUtil.get().newConfiguration(conf);
    }

    /** This rank's samples in order j (see {@link ShardPlanner}). */
    private LocalShard materialize(java.util.Iterator<Tuple2<Long, ShardSample>> rows, int rank) {
        LocalShard shard = spec.regression() ? LocalShard.regression(spec.sampleShape(), spec.outputs(), 1024)
                : new LocalShard(spec.sampleShape(), spec.outputs(), 1024);
        while (rows.hasNext()) {
            ShardSample s = rows.next()._2();
            float[] x = PatternCodec.decode(s.pattern, spec.dtype());
            if (spec.regression()) {
                shard.add(s.id, x, s.target);
            } else {
                shard.add(s.id, x, s.label);
            }
        }
        LOG.info("rank {}: {} samples materialized", rank, shard.size());
        return shard;
    }

    /** Every K steps all ranks publish a hash of their parameters; any difference stops training. */
    private static ParameterCheck hashCheck(BarrierTaskContext ctx, int rank) {
        return (step, hash) -> {
            String[] all = ctx.allGather(Long.toHexString(hash));
            for (int r = 0; r < all.length; r++) {
                if (!all[r].equals(all[0])) {
                    throw new IOException("replicas diverged at step " + step + ": rank " + r + " holds parameters with hash "
                            + all[r] + ", rank 0 " + all[0] + " (this rank, " + rank + ": " + Long.toHexString(hash)
                            + "); the all-reduce or the optimizer is not deterministic on this cluster");
                }
            }
        };
    }
}
