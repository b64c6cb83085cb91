package bragg.driver.shards;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import bragg.worker.model.VitConfig;
import bragg.worker.model.VitModel;
import java.io.ByteArrayOutputStream;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import org.deeplearning4j.nn.graph.ComputationGraph;
import org.deeplearning4j.util.ModelSerializer;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** A model file is checked against the shards' manifest on the driver: restorable, same input, same classes. */
class ModelFitTest {
    static byte[] zip;

    @BeforeAll
    static void tinyVit() throws Exception {
        VitConfig c = new VitConfig();
        c.height = 8;
        c.width = 8;
        c.patch = 4;
        c.dim = 8;
        c.heads = 2;
        c.blocks = 1;
        c.outputs = 2;
        c.attentionDevice = "java";
        ByteArrayOutputStream bo = new ByteArrayOutputStream();
        ModelSerializer.writeModel(VitModel.build(c), bo, false);
        zip = bo.toByteArray();
    }

    private static Manifest manifest(String kind, int[] shape, List<String> names) {
        return new Manifest(1, kind, shape, "float32", 10, names, Map.of(), Map.of(), List.of(), Map.of());
    }

    @Test
    void aModelOfTheShardsShapeFits() {
        ComputationGraph g = ModelFit.check(zip, "run/model.zip", manifest("4dstem", new int[] {1, 8, 8}, List.of("a", "b")),
                "shards");
        ModelFit.checkClasses(g, "run/model.zip", manifest("4dstem", new int[] {1, 8, 8}, List.of("a", "b")), "shards");
    }

    @Test
    void aOneChannelModelGivenThreeChannelShardsNamesBoth() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> ModelFit.check(zip,
                "run/model.zip", manifest("lpbf", new int[] {3, 8, 8}, List.of("a", "b")), "lpbf/shards"));
        assertTrue(e.getMessage().contains("run/model.zip") && e.getMessage().contains("lpbf/shards")
                && e.getMessage().contains("[1, 8, 8]") && e.getMessage().contains("[3, 8, 8]"), e.getMessage());
    }

    @Test
    void aTruncatedOrForeignZipIsNotABraggModel() {
        for (byte[] bad : new byte[][] {Arrays.copyOf(zip, zip.length / 2), "not a zip at all".getBytes()}) {
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> ModelFit.check(bad,
                    "run/model.zip", manifest("4dstem", new int[] {1, 8, 8}, List.of("a", "b")), "shards"));
            assertTrue(e.getMessage().startsWith("run/model.zip: not a bragg model"), e.getMessage());
            assertEquals(1, e.getMessage().lines().count(), e.getMessage());
        }
    }

    @Test
    void aClassifierWithOtherClassesNamesTheLabels() {
        Manifest three = manifest("4dstem", new int[] {1, 8, 8}, List.of("fcc", "hcp", "bcc"));
        ComputationGraph g = ModelFit.check(zip, "run/model.zip", three, "shards");
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> ModelFit.checkClasses(g, "run/model.zip", three, "shards"));
        assertTrue(e.getMessage().contains("2 outputs") && e.getMessage().contains("[fcc, hcp, bcc]"), e.getMessage());
    }
}
