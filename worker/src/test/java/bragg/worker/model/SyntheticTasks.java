package bragg.worker.model;

import org.deeplearning4j.nn.graph.ComputationGraph;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.dataset.DataSet;
import org.nd4j.linalg.factory.Nd4j;

import java.util.Random;

/** Generated tasks that need attention, for the learning tests; every sample comes from a fixed seed. */
final class SyntheticTasks {
    private SyntheticTasks() {
    }

    /**
     * n patterns [n, 1, size, size]: a bright disk (1.0) and a dim disk (0.5), radius r, at least
     * size/4 apart horizontally, on noise; class 1 when the bright disk is left of the dim one.
     * The class depends only on where two distant patches are relative to each other.
     */
    static DataSet twoDisks(int n, int size, long seed) {
        Random r = new Random(seed);
        int radius = 4;
        float[] x = new float[n * size * size];
        float[] y = new float[n * 2];
        for (int i = 0; i < n; i++) {
            int ax, bx;
            do {
                ax = radius + r.nextInt(size - 2 * radius);
                bx = radius + r.nextInt(size - 2 * radius);
            } while (Math.abs(ax - bx) < size / 4);
            int ay = radius + r.nextInt(size - 2 * radius), by = radius + r.nextInt(size - 2 * radius);
            int base = i * size * size;
            for (int p = 0; p < size * size; p++) {
                x[base + p] = (float) (0.05 * r.nextGaussian());
            }
            disk(x, base, size, ax, ay, radius, 1.0f);
            disk(x, base, size, bx, by, radius, 0.5f);
            y[i * 2 + (ax < bx ? 1 : 0)] = 1;
        }
        return new DataSet(Nd4j.create(x, new long[]{n, 1, size, size}, 'c'), Nd4j.create(y, new long[]{n, 2}, 'c'));
    }

    /**
     * n LPBF stacks [n, K+1, size, size] with K = 2: layer k (channel 0) shows one spot in a random
     * patch cell in both classes; class 1 (a defect that began below) when layer k-1 (channel 1)
     * shows a spot under it, class 0 (surface only) when the layers below are clean. Layer k alone
     * says nothing about the class.
     */
    static DataSet stack(int n, int size, int patch, long seed) {
        Random r = new Random(seed);
        int k = 2, g = size / patch, plane = size * size;
        float[] x = new float[n * (k + 1) * plane];
        float[] y = new float[n * 2];
        for (int i = 0; i < n; i++) {
            int base = i * (k + 1) * plane;
            for (int p = 0; p < (k + 1) * plane; p++) {
                x[base + p] = (float) (0.05 * r.nextGaussian());
            }
            int top = r.nextInt(g * g);
            boolean below = r.nextBoolean();
            spot(x, base, size, patch, top, g);
            if (below) {
                spot(x, base + plane, size, patch, top, g);
            }
            y[i * 2 + (below ? 1 : 0)] = 1;
        }
        return new DataSet(Nd4j.create(x, new long[]{n, k + 1, size, size}, 'c'), Nd4j.create(y, new long[]{n, 2}, 'c'));
    }

    /** Fraction of items whose arg-max output is the labelled class. */
    static double accuracy(ComputationGraph g, DataSet test) {
        INDArray out = g.outputSingle(test.getFeatures());
        INDArray predicted = out.argMax(1), truth = test.getLabels().argMax(1);
        return predicted.eq(truth).castTo(DataType.DOUBLE).meanNumber().doubleValue();
    }

    private static void disk(float[] x, int base, int size, int cx, int cy, int radius, float value) {
        for (int yy = cy - radius; yy <= cy + radius; yy++) {
            for (int xx = cx - radius; xx <= cx + radius; xx++) {
                if ((xx - cx) * (xx - cx) + (yy - cy) * (yy - cy) <= radius * radius) {
                    x[base + yy * size + xx] = value;
                }
            }
        }
    }

    /** A bright square filling the middle of patch cell {@code cell} (row-major over a g x g grid). */
    private static void spot(float[] x, int base, int size, int patch, int cell, int g) {
        int y0 = (cell / g) * patch, x0 = (cell % g) * patch;
        for (int yy = y0 + 1; yy < y0 + patch - 1; yy++) {
            for (int xx = x0 + 1; xx < x0 + patch - 1; xx++) {
                x[base + yy * size + xx] = 1.0f;
            }
        }
    }
}
