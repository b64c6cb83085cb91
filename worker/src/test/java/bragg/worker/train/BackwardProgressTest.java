package bragg.worker.train;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import bragg.worker.model.layers.BackwardListener;
import bragg.worker.model.layers.BraggLayer;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Supplier;
import org.deeplearning4j.nn.api.Layer;
import org.deeplearning4j.nn.graph.ComputationGraph;
import org.junit.jupiter.api.Test;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.dataset.MultiDataSet;

/** What {@link BackwardProgress} calls final during a backward is what the backward ends with. */
class BackwardProgressTest {

    /** Reports of one armed backward: the final range's start at each, and the gradient above it then. */
    record Reports(List<Integer> reached, List<float[]> tails, float[] done, int p) {
    }

    static Reports record(Supplier<ComputationGraph> model) {
        ComputationGraph g = model.get();
        g.initGradientsView();
        BackwardProgress progress = new BackwardProgress(g);
        INDArray flat = g.getFlattenedGradients();
        int p = Math.toIntExact(flat.length());
        List<Integer> reached = new ArrayList<>();
        List<float[]> tails = new ArrayList<>();
        boolean[] recording = {false};
        BackwardListener spy = new BackwardListener() {
            @Override
            public void starting(Layer layer) {
                progress.starting(layer);
                snap();
            }

            @Override
            public void finished(Layer layer) {
                progress.finished(layer);
                snap();
            }

            private void snap() {
                int r = progress.reached();
                if (!recording[0]) {
                    assertEquals(p, r, "an unarmed backward calls nothing final");
                    return;
                }
                reached.add(r);
                float[] tail = new float[p - r];
                flat.data().asNioFloat().get(Math.toIntExact(flat.offset()) + r, tail);
                tails.add(tail);
            }
        };
        for (Layer l : g.getLayers()) {
            if (l instanceof BraggLayer<?> b) {
                b.setBackwardListener(spy);
            }
        }
        // A first, unarmed backward fills the gradient, so that stale values of the second cannot pass as final.
        backward(g, OverlapModels.batch(0, 0, 0));
        progress.arm();
        recording[0] = true;
        backward(g, OverlapModels.batch(1, 1, 0));
        return new Reports(reached, tails, flat.dup().data().asFloat(), p);
    }

    private static void backward(ComputationGraph g, MultiDataSet mb) {
        g.setInputs(mb.getFeatures());
        g.setLabels(mb.getLabels());
        g.computeGradientAndScore();
    }

    static void assertFinalIsFinal(Reports r) {
        int last = r.p();
        for (int i = 0; i < r.reached().size(); i++) {
            int from = r.reached().get(i);
            assertTrue(from <= last, "the final range only grows");
            last = from;
            float[] tail = r.tails().get(i);
            for (int j = 0; j < tail.length; j++) {
                if (Float.floatToRawIntBits(tail[j]) != Float.floatToRawIntBits(r.done()[from + j])) {
                    throw new AssertionError("report " + i + " called [" + from + ", " + r.p() + ") final, but value "
                            + (from + j) + " changed from " + tail[j] + " to " + r.done()[from + j]);
                }
            }
        }
    }

    @Test
    void vitGradientsCalledFinalDoNotChangeAndTheFirstLayerFinishesAll() {
        Reports r = record(OverlapModels::vit);
        assertTrue(r.reached().size() >= 8, "every bragg layer reports its start and end: " + r.reached());
        assertTrue(r.reached().get(0) < r.p(), "DL4J's output layer is final when the first bragg layer starts");
        assertEquals(0, r.reached().get(r.reached().size() - 1), "all is final after the patch embedding");
        assertFinalIsFinal(r);
    }

    @Test
    void aDl4jLayerBelowEveryBraggLayerIsNeverCalledFinalBeforeTheEnd() {
        ComputationGraph g = OverlapModels.mixed();
        int conv = Math.toIntExact(g.getLayer("conv").numParams());
        Reports r = record(OverlapModels::mixed);
        assertTrue(r.reached().get(0) < r.p(), "DL4J's output layer is final when the first bragg layer starts");
        int lowest = r.reached().get(r.reached().size() - 1);
        assertTrue(lowest >= conv, "the convolution's " + conv + " values below " + lowest + " wait for the end");
        assertFinalIsFinal(r);
        g.initGradientsView();
        BackwardProgress progress = new BackwardProgress(g);
        progress.arm();
        progress.complete();
        assertEquals(0, progress.reached(), "complete() calls everything final");
    }
}
