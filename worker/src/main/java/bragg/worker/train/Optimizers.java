package bragg.worker.train;

import java.util.List;
import org.deeplearning4j.nn.conf.ComputationGraphConfiguration;
import org.deeplearning4j.nn.conf.graph.GraphVertex;
import org.deeplearning4j.nn.conf.graph.LayerVertex;
import org.deeplearning4j.nn.conf.layers.BaseLayer;
import org.deeplearning4j.nn.conf.layers.Layer;
import org.deeplearning4j.nn.conf.layers.samediff.AbstractSameDiffLayer;
import org.nd4j.linalg.learning.config.Adam;
import org.nd4j.linalg.learning.config.IUpdater;
import org.nd4j.linalg.learning.regularization.Regularization;
import org.nd4j.linalg.learning.regularization.WeightDecay;

/**
 * Puts AdamW (DL4J's Adam plus {@link WeightDecay} with {@code applyLR=true}, which DL4J applies
 * after the updater: decoupled weight decay) with the warm-up + cosine schedule on every layer of
 * a graph configuration. Biases get no weight decay. Gradient clipping is not configured here:
 * the replica loop clips the averaged gradient by its global norm.
 */
public final class Optimizers {
    private Optimizers() {
    }

    /** Sets the optimizer of every trainable layer of {@code conf} in place. */
    public static void applyAdamW(ComputationGraphConfiguration conf, TrainConfig cfg, int totalSteps) {
        WarmupCosineSchedule lr = new WarmupCosineSchedule(cfg.learningRate(), cfg.warmupSteps(), totalSteps,
                cfg.minLrFraction());
        for (var e : conf.getVertices().entrySet()) {
            GraphVertex v = e.getValue();
            if (!(v instanceof LayerVertex lv) || lv.getLayerConf() == null) {
                continue;
            }
            Layer layer = lv.getLayerConf().getLayer();
            IUpdater adam = Adam.builder().learningRateSchedule(lr.clone()).beta1(cfg.beta1()).beta2(cfg.beta2())
                    .epsilon(cfg.epsilon()).build();
            List<Regularization> wd = cfg.weightDecay() > 0 ? List.of(new WeightDecay(cfg.weightDecay(), true)) : List.of();
            if (layer instanceof BaseLayer b) {
                b.setIUpdater(adam);
                b.setBiasUpdater(adam.clone());
                b.setRegularization(wd);
                b.setRegularizationBias(List.of());
            } else if (layer instanceof AbstractSameDiffLayer s) {
                s.setUpdater(adam);
                s.setBiasUpdater(adam.clone());
                s.setRegularization(wd);
                s.setRegularizationBias(List.of());
            } else if (layer.initializer() != null && layer.initializer().numParams(layer) > 0) {
                throw new IllegalArgumentException("layer '" + e.getKey() + "' (" + layer.getClass().getSimpleName()
                        + ") has parameters but is neither a BaseLayer nor a SameDiff layer; cannot set its optimizer");
            }
        }
    }
}
