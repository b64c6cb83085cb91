package bragg.worker.model.layers;

import org.deeplearning4j.nn.api.Layer;

/**
 * Told, on the thread that runs the backward, when a bragg layer starts and finishes its part of
 * it. DL4J's own listeners hear only of the whole backward; the training step needs to know
 * earlier which parameter gradients are final, so it can all-reduce them while the earlier
 * layers still compute (see bragg.worker.train.BackwardProgress).
 */
public interface BackwardListener {
    /** Listens to nothing: what a layer has until the training step attaches itself. */
    BackwardListener NONE = new BackwardListener() {
        @Override
        public void starting(Layer layer) {
        }

        @Override
        public void finished(Layer layer) {
        }
    };

    /** {@code layer}'s backward begins: every layer after it in the graph's topological order is done. */
    void starting(Layer layer);

    /** {@code layer}'s backward has written all its parameter gradients. */
    void finished(Layer layer);
}
