package bragg.worker.train;

import bragg.worker.collective.Collective;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.SplittableRandom;
import org.deeplearning4j.nn.graph.ComputationGraph;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.schedule.ISchedule;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The loop every replica runs: its shard, its model copy, one all-reduce per optimizer step
 * (each step is a {@link ReplicaStep}).
 * DL4J's own {@code fit()} does the same through {@code StochasticGradientDescent}: gradient view,
 * {@code updater.update(gradient, iteration, epoch, batchSize)}, then {@code params.subi(update)};
 * here the view is replaced by the averaged gradient before the updater sees it, and the updater is
 * told a batch size of 1 because the division by the global batch is already done.
 */
public final class ReplicaTrainer {
    private static final Logger LOG = LoggerFactory.getLogger(ReplicaTrainer.class);

    private final TrainConfig cfg;
    private final int attempt;
    private final String codeVersion;
    private final Map<String, String> provenance;
    private java.util.function.Consumer<StepMetrics> onStep = m -> { };

    /**
     * @param attempt     1-based attempt number of the driver (fault injection keys on it)
     * @param provenance  config entries stored with every checkpoint (model config, data source...)
     */
    public ReplicaTrainer(TrainConfig cfg, int attempt, String codeVersion, Map<String, String> provenance) {
        this.cfg = cfg;
        this.attempt = attempt;
        this.codeVersion = codeVersion;
        this.provenance = provenance;
    }

    /** Rank 0 hands each step's metrics to {@code listener} as soon as the step is done (live progress). */
    public ReplicaTrainer onStep(java.util.function.Consumer<StepMetrics> listener) {
        this.onStep = listener;
        return this;
    }

    /** What a replica hands back; only rank 0's has metrics. */
    public record Result(int rank, long steps, long paramHash, List<StepMetrics> metrics, long resumedFromStep) {
    }

    /**
     * Trains {@code graph} (already configured with its optimizer and initialized) to the end of
     * the configured epochs, resuming from the newest checkpoint when there is one.
     */
    public Result train(ComputationGraph graph, LocalShard shard, Collective coll, ParameterCheck check)
            throws IOException {
        int n = coll.worldSize();
        int rank = coll.rank();
        int stepsPerEpoch = cfg.stepsPerEpoch(shard.size());
        long totalSteps = (long) stepsPerEpoch * cfg.epochs();
        CheckpointStore store = new CheckpointStore(cfg.checkpointDir());

        long step = 0;
        int epoch = 0;
        int cursor = 0;
        List<StepMetrics> history = new ArrayList<>();
        Optional<CheckpointStore.Loaded> ck = store.latest();
        if (ck.isPresent()) {
            TrainState s = ck.get().state();
            if (s.worldSize() != n || s.seed() != cfg.seed()) {
                throw new IllegalStateException("checkpoint " + ck.get().path() + " was written by a job with "
                        + s.worldSize() + " replicas and seed " + s.seed() + "; this job has " + n + " and seed "
                        + cfg.seed() + " (use another train.checkpoint-dir)");
            }
            ComputationGraph saved = ck.get().graph();
            if (saved.params().length() != graph.params().length()) {
                throw new IllegalStateException("checkpoint " + ck.get().path() + " holds " + saved.params().length()
                        + " parameters, the model has " + graph.params().length());
            }
            graph.params().assign(saved.params());
            graph.getUpdater().getStateViewArray().assign(saved.getUpdater().getStateViewArray());
            step = s.step();
            epoch = s.epoch();
            cursor = s.cursor();
            history.addAll(s.history());
            LOG.info("rank {}: resumed from {} (step {}, epoch {}, cursor {})", rank, ck.get().path(), step, epoch, cursor);
        } else {
            broadcastFromRank0(graph, coll);
        }
        long resumedFrom = step;

        try (ReplicaStep stepper = new ReplicaStep(graph, coll, cfg.clipNorm(), cfg.batchSize(), cfg.accumulationSteps(),
                cfg.buckets())) {
            ISchedule lr = lrSchedule(graph);
            int b = cfg.batchSize();
            int a = cfg.accumulationSteps();

            for (; epoch < cfg.epochs(); epoch++, cursor = 0) {
                int[] order = order(shard.size(), epoch, rank);
                for (; cursor < stepsPerEpoch; cursor++) {
                    cfg.fault().maybeFail(attempt, rank, step);
                    long t0 = System.nanoTime();
                    // Dropout and other random layers draw from ND4J's RNG: seed it per (job, step, rank)
                    // so a resumed step draws what the uninterrupted one drew.
                    Nd4j.getRandom().setSeed(mix(cfg.seed(), step, rank));
                    int first = cursor * a;
                    double loss = stepper.run(m -> shard.batch(order, (first + m) * b, b), step, epoch);
                    long t3 = System.nanoTime();
                    double secs = (t3 - t0) / 1e9;
                    if (rank == 0) {
                        StepMetrics m = new StepMetrics(step, epoch, loss, lr.valueAt((int) step, epoch), n * a * b / secs,
                                stepper.computeMillis(), stepper.commMillis());
                        history.add(m);
                        onStep.accept(m);
                    }
                    step++;
                    if (cfg.hashCheckEvery() > 0 && step % cfg.hashCheckEvery() == 0) {
                        check.check(step, paramHash(graph));
                    }
                    boolean endOfEpoch = cursor + 1 == stepsPerEpoch;
                    if (rank == 0 && (step % cfg.checkpointEvery() == 0 || step == totalSteps)) {
                        graph.getConfiguration().setIterationCount((int) step);
                        graph.getConfiguration().setEpochCount(endOfEpoch ? epoch + 1 : epoch);
                        store.write(graph, new TrainState(step, endOfEpoch ? epoch + 1 : epoch, endOfEpoch ? 0 : cursor + 1,
                                cfg.seed(), n, codeVersion, provenance(), List.copyOf(history)));
                    }
                }
            }
        }
        long hash = paramHash(graph);
        check.check(step, hash);
        return new Result(rank, step, hash, rank == 0 ? history : List.of(), resumedFrom);
    }

    private Map<String, String> provenance() {
        Map<String, String> m = new java.util.LinkedHashMap<>(cfg.describe());
        m.putAll(provenance);
        return m;
    }

    /** Rank 0's initial parameters on every rank: the others contribute zeros to one all-reduce (x + 0 = x exactly). */
    static void broadcastFromRank0(ComputationGraph graph, Collective coll) throws IOException {
        if (coll.worldSize() == 1) {
            return;
        }
        INDArray view = graph.params();
        float[] params = new float[Math.toIntExact(view.length())];
        if (coll.rank() == 0) {
            view.data().asNioFloat().get(Math.toIntExact(view.offset()), params, 0, params.length);
        }
        coll.allReduce(params, 0, params.length);
        view.data().asNioFloat().put(Math.toIntExact(view.offset()), params, 0, params.length);
    }

    /** The sample order of {@code epoch} on {@code rank}: a Fisher-Yates shuffle seeded by (seed, epoch, rank). */
    int[] order(int size, int epoch, int rank) {
        int[] o = new int[size];
        for (int i = 0; i < size; i++) {
            o[i] = i;
        }
        if (cfg.shuffle()) {
            SplittableRandom r = new SplittableRandom(mix(cfg.seed(), epoch, rank));
            for (int i = size - 1; i > 0; i--) {
                int j = r.nextInt(i + 1);
                int t = o[i];
                o[i] = o[j];
                o[j] = t;
            }
        }
        return o;
    }

    static long mix(long seed, long a, long b) {
        long h = seed * 0x9E3779B97F4A7C15L + a;
        h = (h ^ (h >>> 31)) * 0xBF58476D1CE4E5B9L + b;
        h = (h ^ (h >>> 29)) * 0x94D049BB133111EBL;
        return h ^ (h >>> 32);
    }

    /** FNV-1a over the bits of every parameter: equal only when the parameters are bit-identical. */
    public static long paramHash(ComputationGraph graph) {
        INDArray view = graph.params();
        float[] v = new float[Math.toIntExact(view.length())];
        view.data().asNioFloat().get(Math.toIntExact(view.offset()), v, 0, v.length);
        long h = 0xcbf29ce484222325L;
        for (float f : v) {
            h = (h ^ Float.floatToRawIntBits(f)) * 0x100000001b3L;
        }
        return h;
    }

    private static ISchedule lrSchedule(ComputationGraph graph) {
        for (var layer : graph.getLayers()) {
            var conf = layer.getConfig();
            for (String param : layer.paramTable().keySet()) {
                var u = conf.getUpdaterByParam(param);
                if (u instanceof org.nd4j.linalg.learning.config.Adam adam && adam.getLearningRateSchedule() != null) {
                    return adam.getLearningRateSchedule();
                }
                if (u != null) {
                    double v = u.getLearningRate(0, 0);
                    return new org.nd4j.linalg.schedule.FixedSchedule(v);
                }
            }
        }
        return new org.nd4j.linalg.schedule.FixedSchedule(Double.NaN);
    }
}
