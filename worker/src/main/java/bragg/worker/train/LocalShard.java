package bragg.worker.train;

import java.util.Arrays;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.dataset.MultiDataSet;
import org.nd4j.linalg.factory.Nd4j;

/**
 * One replica's samples, materialized in this task's memory: samples of one shape ({@code [F]}
 * for a vector, {@code [C, H, W]} for a pattern) with either a class index (classification) or T
 * target values (regression).
 * <pre>
 *   features  float[n * S]   S = product of sampleShape, row-major per sample
 *   labels    int[n]         class index in [0, K)        (classification)
 *   targets   float[n * T]   T values per sample          (regression)
 * </pre>
 */
public final class LocalShard {
    private final int[] sampleShape;
    private final int sampleSize;
    private final int outputs;
    private final boolean regression;
    private float[] features;
    private int[] labels;
    private float[] targets;
    private long[] ids;
    private int n;

    /** A classification shard of {@code numClasses} classes (labels one-hot in {@link #batch}). */
    public LocalShard(int[] sampleShape, int numClasses, int capacity) {
        this(sampleShape, numClasses, false, capacity);
        if (numClasses < 2) {
            throw new IllegalArgumentException("number of classes must be >= 2, found " + numClasses);
        }
    }

    private LocalShard(int[] sampleShape, int outputs, boolean regression, int capacity) {
        if (sampleShape.length == 0 || Arrays.stream(sampleShape).anyMatch(d -> d < 1)) {
            throw new IllegalArgumentException("sample shape must be non-empty with every dimension >= 1, found "
                    + Arrays.toString(sampleShape));
        }
        this.sampleShape = sampleShape.clone();
        this.sampleSize = Arrays.stream(sampleShape).reduce(1, Math::multiplyExact);
        this.outputs = outputs;
        this.regression = regression;
        int cap = Math.max(1, capacity);
        this.features = new float[Math.multiplyExact(cap, sampleSize)];
        this.labels = regression ? null : new int[cap];
        this.targets = regression ? new float[Math.multiplyExact(cap, outputs)] : null;
        this.ids = new long[cap];
    }

    /** A regression shard of {@code targets} values per sample (the MSE head's outputs). */
    public static LocalShard regression(int[] sampleShape, int targets, int capacity) {
        if (targets < 1) {
            throw new IllegalArgumentException("number of regression targets must be >= 1, found " + targets);
        }
        return new LocalShard(sampleShape, targets, true, capacity);
    }

    /** Appends one classification sample; checks its size, label and values and names the sample id in errors. */
    public void add(long id, float[] x, int label) {
        if (regression) {
            throw new IllegalStateException("sample " + id + ": a regression shard takes target values, not a class label");
        }
        if (label < 0 || label >= outputs) {
            throw new IllegalArgumentException("sample " + id + ": label " + label + " is outside 0.." + (outputs - 1));
        }
        int i = append(id, x);
        labels[i] = label;
    }

    /** Appends one regression sample with its T targets; names the sample id in errors. */
    public void add(long id, float[] x, float[] target) {
        if (!regression) {
            throw new IllegalStateException("sample " + id + ": a classification shard takes a class label, not targets");
        }
        if (target == null || target.length != outputs) {
            throw new IllegalArgumentException("sample " + id + ": " + (target == null ? "no" : target.length)
                    + " target values, expected " + outputs);
        }
        checkFinite(id, "target", target);
        int i = append(id, x);
        System.arraycopy(target, 0, targets, i * outputs, outputs);
    }

    /** Copies the features in, growing the arrays; returns the new sample's index. */
    private int append(long id, float[] x) {
        if (x.length != sampleSize) {
            throw new IllegalArgumentException("sample " + id + ": " + x.length + " values, expected " + sampleSize
                    + " for shape " + Arrays.toString(sampleShape));
        }
        checkFinite(id, "value", x);
        if (n == ids.length) {
            int cap = Math.max(2 * n, 16);
            features = Arrays.copyOf(features, Math.multiplyExact(cap, sampleSize));
            if (regression) {
                targets = Arrays.copyOf(targets, Math.multiplyExact(cap, outputs));
            } else {
                labels = Arrays.copyOf(labels, cap);
            }
            ids = Arrays.copyOf(ids, cap);
        }
        System.arraycopy(x, 0, features, n * sampleSize, sampleSize);
        ids[n] = id;
        return n++;
    }

    private static void checkFinite(long id, String what, float[] v) {
        for (int i = 0; i < v.length; i++) {
            if (!Float.isFinite(v[i])) {
                throw new IllegalArgumentException("sample " + id + ": " + what + " " + v[i] + " at index " + i + " is not finite");
            }
        }
    }

    public int size() {
        return n;
    }

    /** K classes, or T targets of a regression shard. */
    public int numClasses() {
        return outputs;
    }

    public boolean regression() {
        return regression;
    }

    public int[] sampleShape() {
        return sampleShape.clone();
    }

    public long id(int i) {
        return ids[i];
    }

    /**
     * The minibatch of samples {@code order[from .. from+b)}: features {@code [b, sampleShape...]}
     * and labels {@code [b, K]} one-hot (classification) or {@code [b, T]} targets (regression).
     */
    public MultiDataSet batch(int[] order, int from, int b) {
        float[] x = new float[b * sampleSize];
        float[] y = new float[b * outputs];
        for (int i = 0; i < b; i++) {
            int s = order[from + i];
            System.arraycopy(features, s * sampleSize, x, i * sampleSize, sampleSize);
            if (regression) {
                System.arraycopy(targets, s * outputs, y, i * outputs, outputs);
            } else {
                y[i * outputs + labels[s]] = 1f;
            }
        }
        long[] xs = new long[sampleShape.length + 1];
        xs[0] = b;
        for (int d = 0; d < sampleShape.length; d++) {
            xs[d + 1] = sampleShape[d];
        }
        INDArray fx = Nd4j.create(x, xs, 'c');
        INDArray fy = Nd4j.create(y, new long[] {b, outputs}, 'c');
        return new MultiDataSet(fx, fy);
    }
}
