package bragg.jobs.bench;

import bragg.driver.shards.PatternCodec;
import bragg.driver.spark.SparkSessions;
import bragg.ml.BraggClassificationModel;
import bragg.worker.model.VitConfig;
import bragg.worker.model.VitModel;
import bragg.worker.model.ops.KernelProvider;
import bragg.worker.train.CheckpointStore;
import bragg.worker.train.ReplicaThreads;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.stream.IntStream;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructType;
import org.deeplearning4j.nn.graph.ComputationGraph;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * {@code bragg bench transform}: batch inference from Spark code, {@link BraggClassificationModel#transform}
 * on --master over a cached DataFrame of generated patterns of the default vit (binary float32, as
 * the shards store them), against the forward-only samples/s of one replica measured in the same
 * run the way {@code bench train}'s inference row measures it ({@link TrainBench#forward}, the
 * same warm-up and alternating rounds of {@link TrainBench#compare}). Prints the rounds, then one
 * JSON line with the ratio transform / forward (goal >= 0.8). Batch, threads, warm-up and rounds
 * are bench train's defaults, so the forward side is that bench's inference row.
 * <pre>
 *   transform  model.transform(rows) written to Spark's noop sink: every row scored, nothing stored
 *   forward    one model, 256 patterns per forward pass, BLAS and libnd4j at all cores
 * </pre>
 */
@Command(name = "transform", mixinStandardHelpOptions = true,
        description = "BraggClassificationModel.transform samples/s on local[2] vs one replica's forward pass; a JSON line.")
public final class TransformBench implements Runnable {

    @Option(names = "--rows", description = "patterns in the DataFrame, a multiple of bench train's inference batch "
            + "(256); each round scores all (default ${DEFAULT-VALUE})")
    int rows = 2048;

    @Option(names = "--master", description = "Spark master of the transform (default ${DEFAULT-VALUE})")
    String master = "local[2]";

    @Option(names = "--device", description = "attention device of the model (default ${DEFAULT-VALUE})")
    String device = "auto";

    /** bench train at its defaults: the inference batch, the replica's threads, the warm-up and the rounds. */
    private final TrainBench protocol = new TrainBench();

    @Override
    public void run() {
        if (rows < protocol.inferBatch || rows % protocol.inferBatch != 0) {
            throw new IllegalArgumentException("--rows must be a positive multiple of " + protocol.inferBatch
                    + " (the inference batch); found " + rows);
        }
        try {
            bench();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private void bench() throws IOException {
        int batch = protocol.inferBatch;
        int threads = protocol.threads;
        VitConfig c = TrainBench.config("default");
        c.attentionDevice = KernelProvider.checkDevice("--device", device);
        String loadStart = AttentionBench.loadAverage();
        ComputationGraph model = VitModel.build(c);
        int[] shape = {c.channels, c.height, c.width};
        BraggClassificationModel scorer = BraggClassificationModel.of(CheckpointStore.serialize(model, false), shape,
                IntStream.range(0, c.outputs).mapToObj(Integer::toString).toList()).setBatchSize(batch);
        Nd4j.getRandom().setSeed(42);
        INDArray x = Nd4j.rand(DataType.FLOAT, batch, c.channels, c.height, c.width);   // [b, C, H, W]

        SparkSession spark = SparkSessions.getOrCreate("bragg-bench-transform", Map.of("spark.master", master,
                "spark.ui.enabled", "false", "spark.sql.shuffle.partitions", "2"));
        try {
            int partitions = spark.sparkContext().defaultParallelism();
            Dataset<Row> patterns = patterns(spark, x, rows).repartition(partitions).cache();
            patterns.count();
            String backend = KernelProvider.backend(c.attentionDevice);
            System.out.printf(Locale.ROOT, "bench transform: default vit (%dx%d, patch %d, D %d, %d heads, %d blocks, "
                            + "%d parameters), %d rows in %d partitions on %s, batch %d; forward-only replica at %d threads; "
                            + "attention backend: %s%n", c.height, c.width, c.patch, c.dim, c.heads, c.blocks,
                    model.numParams(), rows, partitions, master, batch, threads, backend);

            // One step of both sides = all the rows: one transform, or rows / batch forward passes.
            TrainBench.Side transform = n -> {
                long t0 = System.nanoTime();
                for (int i = 0; i < n; i++) {
                    scorer.transform(patterns).write().format("noop").mode("overwrite").save();
                }
                return (System.nanoTime() - t0) / 1e9;
            };
            TrainBench.Side forwardPass = TrainBench.forward(model, x);
            TrainBench.Side forward = n -> {
                ReplicaThreads.use(threads);   // the transform's tasks size the pools to their own cores
                return forwardPass.seconds(n * (rows / batch));
            };
            double[] r = protocol.compare("infer", "transform", transform, forward, 1, rows);
            String loadEnd = AttentionBench.loadAverage();
            double ratio = r[0] / r[1];
            System.out.printf(Locale.ROOT, "%ntransform on %s: %.1f samples/s; one replica's forward pass: %.1f samples/s; "
                    + "ratio %.3f (goal >= 0.8)%n", master, r[0], r[1], ratio);
            System.out.println("load average (1, 5, 15 min): start " + loadStart + ", end " + loadEnd);
            System.out.printf(Locale.ROOT, "{\"transform_samples_per_s\": %.3f, \"forward_samples_per_s\": %.3f, "
                            + "\"ratio_to_forward\": %.3f, \"goal\": 0.8, \"rows\": %d, \"partitions\": %d, \"master\": \"%s\", "
                            + "\"batch\": %d, \"threads\": %d, \"params\": %d, \"backend\": \"%s\", \"load_avg\": \"%s\", "
                            + "\"load_avg_end\": \"%s\"}%n", r[0], r[1], ratio, rows, partitions, master, batch, threads,
                    model.numParams(), backend.replace("\"", "'"), loadStart, loadEnd);
        } finally {
            spark.stop();
        }
    }

    /** {@code count} rows (id long, pattern binary float32 [C, H, W]) cycling through the patterns of {@code x}. */
    private static Dataset<Row> patterns(SparkSession spark, INDArray x, int count) {
        int b = (int) x.size(0);
        int n = (int) (x.length() / b);
        float[] all = x.dup('c').data().asFloat();
        List<Row> out = new ArrayList<>(count);
        for (int i = 0; i < count; i++) {
            out.add(RowFactory.create((long) i, PatternCodec.encode(all, (i % b) * n, n, "float32")));
        }
        StructType schema = new StructType().add("id", DataTypes.LongType, false).add("pattern", DataTypes.BinaryType, false);
        return spark.createDataFrame(out, schema);
    }
}
