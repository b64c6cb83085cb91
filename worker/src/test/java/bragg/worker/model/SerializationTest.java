package bragg.worker.model;

import org.deeplearning4j.nn.conf.ComputationGraphConfiguration;
import org.deeplearning4j.nn.graph.ComputationGraph;
import org.deeplearning4j.util.ModelSerializer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.nd4j.linalg.api.ndarray.INDArray;

import java.io.File;
import java.io.IOException;

import static bragg.worker.model.TestGraphs.random;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** ModelSerializer zip round trip (identical outputs) and JSON round trips of configs and graphs. */
class SerializationTest {
    @TempDir
    File dir;

    @Test
    void zipRoundTripGivesIdenticalOutputs() throws IOException {
        VitConfig v = VitModelTest.tiny();
        v.dataType = "float";
        v.attentionDevice = "java";
        StackConfig s = StackModelTest.tiny();
        s.dataType = "float";
        s.attentionDevice = "java";
        StackConfig p = StackModelTest.tiny();
        p.head = "per-patch";
        ScanConfig c = ScanModelTest.tiny();
        roundTrip("vit", VitModel.build(v), random(1, 2, 1, 8, 8));
        roundTrip("stack per-layer", StackModel.build(s), random(2, 2, 3, 8, 8));
        roundTrip("stack per-patch (double)", StackModel.build(p), random(3, 2, 3, 8, 8));
        roundTrip("scan (double)", ScanModel.build(c), random(4, 2, 9, 4, 4));
    }

    private void roundTrip(String name, ComputationGraph g, INDArray x) throws IOException {
        INDArray in = x.castTo(g.params().dataType());
        g.fit(new INDArray[]{in}, new INDArray[]{g.outputSingle(in).ulike().assign(0.5)}); // parameters and updater state move
        INDArray before = g.outputSingle(in).dup();
        File f = new File(dir, name.replace(' ', '_') + ".zip");
        ModelSerializer.writeModel(g, f, true);
        ComputationGraph back = ModelSerializer.restoreComputationGraph(f, true);
        assertEquals(g.params(), back.params(), name + ": parameters after the zip round trip");
        assertEquals(g.getUpdater().getStateViewArray(), back.getUpdater().getStateViewArray(),
                name + ": updater state after the zip round trip");
        assertEquals(before, back.outputSingle(in), name + ": outputs after the zip round trip");
    }

    @Test
    void graphConfigurationJsonRoundTrip() {
        for (ComputationGraphConfiguration conf : new ComputationGraphConfiguration[]{
                VitModel.configuration(new VitConfig(), new org.nd4j.linalg.learning.config.Adam(1e-3)),
                StackModel.configuration(new StackConfig(), new org.nd4j.linalg.learning.config.Adam(1e-3)),
                ScanModel.configuration(new ScanConfig(), new org.nd4j.linalg.learning.config.Adam(1e-3))}) {
            String json = conf.toJson();
            ComputationGraphConfiguration back = ComputationGraphConfiguration.fromJson(json);
            assertEquals(json, back.toJson(), "graph configuration JSON round trip");
            ComputationGraph a = new ComputationGraph(conf), b = new ComputationGraph(back);
            a.init();
            b.init();
            assertEquals(a.numParams(), b.numParams(), "parameters of the graph read back from JSON (layer fields kept)");
        }
    }

    @Test
    void modelConfigJsonRoundTrip() {
        VitConfig v = new VitConfig();
        v.blocks = 3;
        v.positions = "sinusoidal";
        assertEquals(v.toJson(), VitConfig.fromJson(v.toJson()).toJson(), "VitConfig JSON round trip");
        StackConfig s = new StackConfig();
        s.crossAttention = false;
        s.head = "per-patch";
        s.layersBelow = 3;
        assertEquals(s.toJson(), StackConfig.fromJson(s.toJson()).toJson(), "StackConfig JSON round trip");
        ScanConfig c = new ScanConfig();
        c.window = 5;
        c.positions = "learned";
        assertEquals(c.toJson(), ScanConfig.fromJson(c.toJson()).toJson(), "ScanConfig JSON round trip");
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> ScanConfig.fromJson("{\"windw\": 3}"));
        assertTrue(e.getMessage().contains("windw"), "a misspelt key is named: " + e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> StackConfig.fromJson("{\"head\": \"per-pixel\"}"));
        assertTrue(e.getMessage().contains("stack.head = 'per-pixel'"), e.getMessage());
    }
}
