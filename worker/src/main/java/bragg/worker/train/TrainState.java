package bragg.worker.train;

import java.util.List;
import java.util.Map;

/**
 * Where training stands after {@code step} optimizer steps: the next step is number {@code step},
 * in epoch {@code epoch} at step {@code cursor} of that epoch. With the seed and world size this
 * fixes which samples come next on every rank, so a resumed run repeats the uninterrupted one.
 *
 * @param config      the train config and model config (provenance)
 * @param codeVersion bragg version that wrote it
 * @param history     rank 0's metrics of steps 0 .. step-1
 */
public record TrainState(long step, int epoch, int cursor, long seed, int worldSize, String codeVersion,
                         Map<String, String> config, List<StepMetrics> history) {
}
