package bragg.jobs.config;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import bragg.worker.model.ScanConfig;
import bragg.worker.model.StackConfig;
import java.util.List;
import org.deeplearning4j.nn.conf.ComputationGraphConfiguration;
import org.junit.jupiter.api.Test;

class ModelMappingTest {

    @Test
    void stackTakesKFromTheSampleShape() {
        BraggConfig c = BraggConfig.load(null, List.of("bragg.model.kind=stack", "bragg.model.cross-blocks=3",
                "bragg.model.cross-attention=false", "bragg.model.dim=64", "bragg.model.blocks=1"));
        StackConfig s = ModelMapping.stack(c, new int[] {5, 32, 32}, 2);
        assertEquals(4, s.layersBelow);
        assertEquals(32, s.height);
        assertEquals(3, s.crossBlocks);
        assertFalse(s.crossAttention);
        assertEquals("per-layer", s.head);
        ComputationGraphConfiguration conf = ModelMapping.configuration(c, new int[] {5, 32, 32}, 2);
        assertTrue(conf.getVertices().containsKey("cross2"), "three (self-attention) cross blocks");
    }

    @Test
    void stackNeedsLayersBelow() {
        BraggConfig c = BraggConfig.load(null, List.of("bragg.model.kind=stack"));
        String msg = assertThrows(IllegalArgumentException.class,
                () -> ModelMapping.configuration(c, new int[] {1, 64, 64}, 2)).getMessage();
        assertTrue(msg.contains("bragg.preprocess.layers-below") && msg.contains("[1, 64, 64]"), msg);
    }

    @Test
    void scanChecksTheWindowAgainstTheChannels() {
        BraggConfig c = BraggConfig.load(null, List.of("bragg.model.kind=scan", "bragg.model.window=5"));
        ScanConfig s = ModelMapping.scan(c, new int[] {25, 32, 32}, 3);
        assertEquals(5, s.window);
        assertEquals(3, s.outputs);
        String msg = assertThrows(IllegalArgumentException.class,
                () -> ModelMapping.configuration(c, new int[] {9, 32, 32}, 3)).getMessage();
        assertTrue(msg.contains("bragg.model.window = 5") && msg.contains("25 patterns") && msg.contains("[9, 32, 32]"),
                msg);
    }

    @Test
    void evenWindowIsRejectedByTheKey() {
        assertThrows(IllegalArgumentException.class,
                () -> BraggConfig.load(null, List.of("bragg.model.window=4")).get(BraggKeys.MODEL_WINDOW));
    }
}
