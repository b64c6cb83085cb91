package bragg.worker.train;

import bragg.worker.collective.Collective;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.SplittableRandom;
import org.deeplearning4j.nn.graph.ComputationGraph;
import org.deeplearning4j.nn.workspace.LayerWorkspaceMgr;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.dataset.MultiDataSet;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.schedule.ISchedule;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The loop every replica runs: its shard, its model copy, one all-reduce per optimizer step.
 * <pre>
 *   N ranks, b = batch per micro-step, A = micro-steps per step, P = parameters
 *   for each step:
 *     A x (forward, backward)              -> DL4J flat gradient view [P], summed over b samples
 *     sum the A micro-gradients locally    -> g [P+1]   (last element: the summed loss)
 *     allReduce(g) once                     -> sum over N ranks (bit-identical on all ranks)
 *     g /= N*A*b                            -> mean gradient per sample
 *     clip g to global L2 norm              (same g everywhere, so same decision everywhere)
 *     DL4J updater (AdamW, step-indexed schedule), params -= update
 * </pre>
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

        int p = (int) graph.params().length();
        if (graph.getFlattenedGradients() == null) {
            graph.initGradientsView(); // DL4J allocates the flat gradient view lazily
        }
        INDArray gradView = graph.getFlattenedGradients();
        INDArray acc = Nd4j.zeros(gradView.dataType(), gradView.shape());
        float[] buf = new float[p + 1];
        ISchedule lr = lrSchedule(graph);
        int b = cfg.batchSize();
        int a = cfg.accumulationSteps();
        double scale = 1.0 / ((double) n * a * b);

        for (; epoch < cfg.epochs(); epoch++, cursor = 0) {
            int[] order = order(shard.size(), epoch, rank);
            for (; cursor < stepsPerEpoch; cursor++) {
                cfg.fault().maybeFail(attempt, rank, step);
                long t0 = System.nanoTime();
                // Dropout and other random layers draw from ND4J's RNG: seed it per (job, step, rank)
                // so a resumed step draws what the uninterrupted one drew.
                Nd4j.getRandom().setSeed(mix(cfg.seed(), step, rank));
                acc.assign(0);
                double lossSum = 0;
                for (int m = 0; m < a; m++) {
                    MultiDataSet mb = shard.batch(order, (cursor * a + m) * b, b);
                    graph.setInputs(mb.getFeatures());
                    graph.setLabels(mb.getLabels());
                    graph.computeGradientAndScore();
                    lossSum += graph.score() * b;
                    acc.addi(gradView);
                }
                graph.clearLayersStates();
                float[] local = acc.toFloatVector();
                System.arraycopy(local, 0, buf, 0, p);
                buf[p] = (float) lossSum;
                long t1 = System.nanoTime();
                coll.allReduce(buf, 0, p + 1);
                long t2 = System.nanoTime();
                double sq = 0;
                for (int i = 0; i < p; i++) {
                    buf[i] = (float) (buf[i] * scale);
                    sq += (double) buf[i] * buf[i];
                }
                double norm = Math.sqrt(sq);
                if (!Double.isFinite(norm)) {
                    throw new IllegalStateException("rank " + rank + ": gradient norm is " + norm + " at step " + step
                            + " (epoch " + epoch + "); lower train.learning-rate or check the data for extreme values");
                }
                if (cfg.clipNorm() > 0 && norm > cfg.clipNorm()) {
                    float c = (float) (cfg.clipNorm() / norm);
                    for (int i = 0; i < p; i++) {
                        buf[i] *= c;
                    }
                }
                gradView.assign(Nd4j.createFromArray(java.util.Arrays.copyOf(buf, p)).reshape(gradView.shape()));
                graph.getUpdater().update(graph.gradient(), (int) step, epoch, 1, LayerWorkspaceMgr.noWorkspaces());
                INDArray params = graph.params();
                params.subi(gradView.reshape(params.shape()));
                long t3 = System.nanoTime();
                double loss = buf[p] * scale;
                double secs = (t3 - t0) / 1e9;
                if (rank == 0) {
                    StepMetrics m = new StepMetrics(step, epoch, loss, lr.valueAt((int) step, epoch), n * a * b / secs,
                            ((t1 - t0) + (t3 - t2)) / 1e6, (t2 - t1) / 1e6);
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
        float[] params = graph.params().toFloatVector();
        if (coll.rank() != 0) {
            java.util.Arrays.fill(params, 0f);
        }
        coll.allReduce(params, 0, params.length);
        graph.params().assign(Nd4j.createFromArray(params).reshape(graph.params().shape()));
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
        float[] v = graph.params().toFloatVector();
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
