package bragg.worker.model;

import org.deeplearning4j.gradientcheck.GradientCheckUtil;
import org.deeplearning4j.nn.gradient.Gradient;
import org.deeplearning4j.nn.graph.ComputationGraph;
import org.deeplearning4j.nn.updater.graph.ComputationGraphUpdater;
import org.deeplearning4j.nn.workspace.LayerWorkspaceMgr;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.dataset.MultiDataSet;
import org.nd4j.linalg.factory.Nd4j;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Gradient checks of double-precision graphs, the case named in the assertion. One set of bounds
 * for both modes: central differences with eps 1e-6, relative error |a - n| / (|a| + |n|) at most
 * 1e-5 unless |a - n| < 1e-9 (DL4J's criterion).
 *
 * <p>{@link #full} is DL4J's GradientCheckUtil over every parameter. {@link #check} checks a
 * subset: at most {@link #MAX_PER_PARAM} evenly spaced entries of every parameter array (every
 * array of every layer is still checked). DL4J 1.0.0-M2.1 has a subset option, but only its
 * MultiLayerNetwork path reads it; its ComputationGraph path perturbs every parameter, which is
 * what made a sweep of tiny models take a minute. The subset check is the same loop as DL4J's
 * (score(MultiDataSet, true) at params +- eps against computeGradientAndScore) over fewer entries.
 */
final class GradCheck {
    static final double EPS = 1e-6;
    static final double MAX_REL_ERROR = 1e-5;
    static final double MIN_ABS_ERROR = 1e-9;
    /** Entries checked per parameter array by {@link #check}. */
    static final int MAX_PER_PARAM = 4;

    private GradCheck() {
    }

    /** DL4J's GradientCheckUtil on every parameter. */
    static void full(String name, ComputationGraph graph, INDArray[] inputs, INDArray[] labels, INDArray[] inputMasks,
                     INDArray[] labelMasks) {
        DataType before = Nd4j.defaultFloatingPointType();
        Nd4j.setDefaultDataTypes(DataType.DOUBLE, DataType.DOUBLE); // GradientCheckUtil insists
        boolean ok;
        try {
            ok = GradientCheckUtil.checkGradients(new GradientCheckUtil.GraphConfig()
                    .net(graph).inputs(inputs).labels(labels).inputMask(inputMasks).labelMask(labelMasks)
                    .epsilon(EPS).maxRelError(MAX_REL_ERROR).minAbsoluteError(MIN_ABS_ERROR)
                    .print(GradientCheckUtil.PrintMode.FAILURES_ONLY).exitOnFirstError(true));
        } finally {
            Nd4j.setDefaultDataTypes(before, before);
        }
        assertTrue(ok, "gradient check (all parameters) failed: " + name);
    }

    /** The subset check described in the class comment. */
    static void check(String name, ComputationGraph graph, INDArray[] inputs, INDArray[] labels, INDArray[] inputMasks,
                      INDArray[] labelMasks) {
        assertEquals(DataType.DOUBLE, graph.params().dataType(), name + ": gradient checks need a double network");
        for (int i = 0; i < inputs.length; i++) {
            graph.setInput(i, inputs[i]);
        }
        for (int i = 0; i < labels.length; i++) {
            graph.setLabel(i, labels[i]);
        }
        graph.setLayerMaskArrays(inputMasks, labelMasks);
        graph.computeGradientAndScore();
        Gradient gradient = graph.gradientAndScore().getFirst();
        // as DL4J's check: the (NoOp) updater divides by the minibatch size, as training does
        new ComputationGraphUpdater(graph).update(gradient, 0, 0, graph.batchSize(), LayerWorkspaceMgr.noWorkspaces());
        INDArray analytic = gradient.gradient().dup().reshape(-1);          // [P] flat, in parameter order
        INDArray params = graph.params();                                   // [1, P] the live flat view
        MultiDataSet data = new MultiDataSet(inputs, labels, inputMasks, labelMasks);
        List<String> failures = new ArrayList<>();
        long offset = 0;
        int checked = 0;
        for (Map.Entry<String, INDArray> e : graph.paramTable().entrySet()) {
            long n = e.getValue().length();
            long step = Math.max(1, n / MAX_PER_PARAM);
            boolean keyBias = e.getKey().endsWith("bk");
            for (long j = 0; j < n; j += step) {
                long i = offset + j;
                if (keyBias) {
                    // softmax is shift-invariant per query and q.bk shifts all of a query's scores
                    // alike, so the exact gradient is 0; finite differences there are pure rounding
                    // noise (~1e-9), so the analytic value is held to 0 instead
                    if (Math.abs(analytic.getDouble(i)) > 1e-12) {
                        failures.add(e.getKey() + "[" + j + "]: analytic " + analytic.getDouble(i) + ", exact 0");
                    }
                    checked++;
                    continue;
                }
                double original = params.getDouble(i);
                params.putScalar(i, original + EPS);
                double plus = graph.score(data, true);
                params.putScalar(i, original - EPS);
                double minus = graph.score(data, true);
                params.putScalar(i, original);
                double numeric = (plus - minus) / (2 * EPS);
                double a = analytic.getDouble(i);
                double abs = Math.abs(a - numeric);
                double rel = a == 0 && numeric == 0 ? 0 : abs / (Math.abs(a) + Math.abs(numeric));
                if (rel > MAX_REL_ERROR && abs >= MIN_ABS_ERROR) {
                    failures.add(e.getKey() + "[" + j + "]: analytic " + a + ", numeric " + numeric + ", relative error "
                            + rel);
                }
                checked++;
            }
            offset += n;
        }
        graph.clearLayerMaskArrays();
        assertEquals(params.length(), offset, name + ": parameter table does not cover the flat parameters");
        assertTrue(failures.isEmpty(), "gradient check failed: " + name + " (" + failures.size() + " of " + checked
                + " checked entries): " + String.join("; ", failures.subList(0, Math.min(5, failures.size()))));
    }
}
