package bragg.worker.train;

import java.util.Arrays;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.dataset.MultiDataSet;
import org.nd4j.linalg.factory.Nd4j;

/**
 * One replica's samples, materialized in this task's memory: a classification set of samples of
 * one shape ({@code [F]} for a vector, {@code [C, H, W]} for a pattern) and integer labels.
 * <pre>
 *   features  float[n * S]   S = product of sampleShape, row-major per sample
 *   labels    int[n]         class index in [0, K)
 * </pre>
 */
public final class LocalShard {
    private final int[] sampleShape;
    private final int sampleSize;
    private final int numClasses;
    private float[] features;
    private int[] labels;
    private long[] ids;
    private int n;

    public LocalShard(int[] sampleShape, int numClasses, int capacity) {
        if (sampleShape.length == 0 || Arrays.stream(sampleShape).anyMatch(d -> d < 1)) {
            throw new IllegalArgumentException("sample shape must be non-empty with every dimension >= 1, found "
                    + Arrays.toString(sampleShape));
        }
        if (numClasses < 2) {
            throw new IllegalArgumentException("number of classes must be >= 2, found " + numClasses);
        }
        this.sampleShape = sampleShape.clone();
        this.sampleSize = Arrays.stream(sampleShape).reduce(1, Math::multiplyExact);
        this.numClasses = numClasses;
        int cap = Math.max(1, capacity);
        this.features = new float[Math.multiplyExact(cap, sampleSize)];
        this.labels = new int[cap];
        this.ids = new long[cap];
    }

    /** Appends one sample; checks its size, label and values and names the sample id in errors. */
    public void add(long id, float[] x, int label) {
        if (x.length != sampleSize) {
            throw new IllegalArgumentException("sample " + id + ": " + x.length + " values, expected " + sampleSize
                    + " for shape " + Arrays.toString(sampleShape));
        }
        if (label < 0 || label >= numClasses) {
            throw new IllegalArgumentException("sample " + id + ": label " + label + " is outside 0.." + (numClasses - 1));
        }
        for (int i = 0; i < x.length; i++) {
            if (!Float.isFinite(x[i])) {
                throw new IllegalArgumentException("sample " + id + ": value " + x[i] + " at index " + i + " is not finite");
            }
        }
        if (n == labels.length) {
            int cap = Math.max(2 * n, 16);
            features = Arrays.copyOf(features, Math.multiplyExact(cap, sampleSize));
            labels = Arrays.copyOf(labels, cap);
            ids = Arrays.copyOf(ids, cap);
        }
        System.arraycopy(x, 0, features, n * sampleSize, sampleSize);
        labels[n] = label;
        ids[n] = id;
        n++;
    }

    public int size() {
        return n;
    }

    public int numClasses() {
        return numClasses;
    }

    public int[] sampleShape() {
        return sampleShape.clone();
    }

    public long id(int i) {
        return ids[i];
    }

    /**
     * The minibatch of samples {@code order[from .. from+b)}: features {@code [b, sampleShape...]}
     * and one-hot labels {@code [b, K]}.
     */
    public MultiDataSet batch(int[] order, int from, int b) {
        float[] x = new float[b * sampleSize];
        float[] y = new float[b * numClasses];
        for (int i = 0; i < b; i++) {
            int s = order[from + i];
            System.arraycopy(features, s * sampleSize, x, i * sampleSize, sampleSize);
            y[i * numClasses + labels[s]] = 1f;
        }
        long[] xs = new long[sampleShape.length + 1];
        xs[0] = b;
        for (int d = 0; d < sampleShape.length; d++) {
            xs[d + 1] = sampleShape[d];
        }
        INDArray fx = Nd4j.create(x, xs, 'c');
        INDArray fy = Nd4j.create(y, new long[] {b, numClasses}, 'c');
        return new MultiDataSet(fx, fy);
    }
}
