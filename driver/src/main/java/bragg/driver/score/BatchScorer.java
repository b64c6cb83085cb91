package bragg.driver.score;

import bragg.driver.spark.ExecutorCores;
import bragg.driver.spark.TaskGpu;
import bragg.worker.model.ops.KernelProvider;
import bragg.worker.train.ReplicaThreads;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Iterator;
import java.util.List;
import java.util.function.BiFunction;
import java.util.function.Function;
import org.deeplearning4j.nn.graph.ComputationGraph;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/**
 * The scoring loop of one Spark task, shared by {@link Predictions} (bragg infer and evaluate) and
 * bragg.ml's model transform: restore the broadcast model once, cut the partition's rows into
 * minibatches of patterns [b, C, H, W], run the forward pass on the task's cores (spark.task.cpus),
 * and hand each row back with its
 * output row (class probabilities or regression values).
 */
public final class BatchScorer {
    private BatchScorer() {
    }

    /**
     * @param model    the task's restored model (restored once per task, not per batch)
     * @param shape    [C, H, W] of one pattern
     * @param pattern  one row's pattern as floats; its length is checked against the shape
     * @param describe names a row in errors (e.g. "shard row id 17")
     * @param emit     builds the task's output record from a row and its model output
     */
    public static <R, O> Iterator<O> score(Iterator<R> rows, ComputationGraph model, int[] shape, int batch,
                                           Function<R, float[]> pattern, Function<R, String> describe,
                                           BiFunction<R, float[], O> emit) {
        if (batch < 1) {
            throw new IllegalArgumentException("prediction batch size must be >= 1, got " + batch);
        }
        if (!rows.hasNext()) {
            return Collections.emptyIterator();
        }
        // The task opens the GPU Spark assigned it and sizes BLAS and libnd4j to its cores, as a
        // training replica does: N tasks of an executor at all cores each would oversubscribe it.
        org.apache.spark.TaskContext task = org.apache.spark.TaskContext.get();
        KernelProvider.assignGpu(task == null ? null : TaskGpu.assigned(task));
        if (task != null) {
            ReplicaThreads.use(task.cpus(), ExecutorCores.of(org.apache.spark.SparkEnv.get().conf()));
        }
        try {
            return scoreAll(rows, model, shape, batch, pattern, describe, emit);
        } finally {
            KernelProvider.assignGpu(null);   // the executor reuses this thread for other tasks
        }
    }

    private static <R, O> Iterator<O> scoreAll(Iterator<R> rows, ComputationGraph model, int[] shape, int batch,
                                               Function<R, float[]> pattern, Function<R, String> describe,
                                               BiFunction<R, float[], O> emit) {
        int n = shape[0] * shape[1] * shape[2];
        List<O> out = new ArrayList<>();
        List<R> pending = new ArrayList<>(batch);
        while (rows.hasNext()) {
            pending.add(rows.next());
            if (pending.size() == batch || !rows.hasNext()) {
                float[] x = new float[pending.size() * n];                  // [b, C, H, W]
                for (int i = 0; i < pending.size(); i++) {
                    float[] p = pattern.apply(pending.get(i));
                    if (p.length != n) {
                        throw new IllegalArgumentException(describe.apply(pending.get(i)) + ": pattern has " + p.length
                                + " values, the pattern shape " + java.util.Arrays.toString(shape) + " needs " + n);
                    }
                    System.arraycopy(p, 0, x, i * n, n);
                }
                INDArray input = Nd4j.create(x, new long[] {pending.size(), shape[0], shape[1], shape[2]}, 'c');
                INDArray y = model.outputSingle(false, input);                  // [b, outputs]
                float[][] rowsOut = y.toFloatMatrix();
                for (int i = 0; i < pending.size(); i++) {
                    out.add(emit.apply(pending.get(i), rowsOut[i]));
                }
                pending.clear();
                input.close();
                y.close();
            }
        }
        return out.iterator();
    }
}
