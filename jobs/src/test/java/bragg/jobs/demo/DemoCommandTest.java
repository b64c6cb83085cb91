package bragg.jobs.demo;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import bragg.driver.io.NpyHeader;
import bragg.jobs.Cli;
import bragg.jobs.evaluate.EvaluationFile;
import bragg.jobs.infer.MapImages;
import bragg.jobs.report.MetricsCsv;
import bragg.jobs.train.ModelFiles;
import com.typesafe.config.Config;
import com.typesafe.config.ConfigFactory;
import com.typesafe.config.ConfigParseOptions;
import com.typesafe.config.ConfigSyntax;
import java.awt.image.BufferedImage;
import java.io.ByteArrayInputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Base64;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import javax.imageio.ImageIO;
import javax.xml.parsers.DocumentBuilderFactory;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.w3c.dom.Document;
import org.w3c.dom.Element;
import org.w3c.dom.NodeList;

/**
 * {@code bragg demo} end to end at a reduced size (a 10 x 14 scan, a one-block vit, two epochs):
 * the real stages and the real 2-replica barrier stage on local[2], then the run folder and the
 * last-line JSON are checked, and {@code bragg infer} is run again on the same folder.
 */
class DemoCommandTest {
    private static final int SCAN_Y = 10;
    private static final int SCAN_X = 14;

    @TempDir
    static Path dir;
    static Path run;
    static Cli.Result demo;

    static List<String> reduced() {
        List<String> a = new ArrayList<>(List.of(
                Path.of(System.getProperty("bragg.root.dir", "..")).resolve("conf/demo-4dstem.conf").toString()));
        for (String s : List.of("bragg.output.dir=" + run, "bragg.generate.scan=[" + SCAN_Y + ", " + SCAN_X + "]",
                "bragg.generate.detector=32", "bragg.generate.grains=30", "bragg.model.dim=16", "bragg.model.blocks=1",
                "bragg.train.epochs=2", "bragg.train.batch-size=8", "bragg.train.checkpoint-every=4",
                "bragg.train.log-every=4", "bragg.kernels.device=java", "spark.ui.enabled=false")) {
            a.add("--set");
            a.add(s);
        }
        return a;
    }

    @BeforeAll
    static void runTheDemo() throws Exception {
        // Under target/, not the temporary folder: .ci/run renders this report in Chromium afterwards.
        run = Path.of("target/demo-test").toAbsolutePath();
        if (Files.exists(run)) {
            try (var files = Files.walk(run)) {
                for (Path p : files.sorted(java.util.Comparator.reverseOrder()).toList()) {
                    Files.delete(p);
                }
            }
        }
        List<String> args = new ArrayList<>(List.of("demo", "--min-accuracy", "0"));
        args.addAll(reduced());
        demo = Cli.run(args.toArray(String[]::new));
        assertEquals(0, demo.code(), demo.out() + demo.err());
    }

    private static Config json(String text) {
        return ConfigFactory.parseString(text, ConfigParseOptions.defaults().setSyntax(ConfigSyntax.JSON));
    }

    @Test
    void lastLineIsOneJsonObjectSayingWhereEverythingIs() {
        for (int stage = 1; stage <= 6; stage++) {
            assertTrue(demo.out().contains("[" + stage + "/6] "), "stage " + stage + " is announced:\n" + demo.out());
        }
        Config last = json(demo.lastLine());
        double accuracy = last.getDouble("accuracy");
        assertTrue(accuracy >= 0 && accuracy <= 1, "accuracy " + accuracy);
        assertTrue(demo.out().contains(String.format(java.util.Locale.ROOT, "held-out accuracy %.2f%%", 100 * accuracy)),
                "the accuracy is printed: " + demo.out());
        assertEquals(run.resolve("report.html").toAbsolutePath().toString(), last.getString("report"));
        assertEquals(run.resolve("model.zip").toAbsolutePath().toString(), last.getString("model"));
        assertTrue(last.getDouble("seconds") > 0);
        assertEquals(2, last.getInt("replicas"), "two replicas, as local[2] has slots for");
        assertTrue(demo.out().contains("report:     " + run.resolve("report.html").toAbsolutePath()), demo.out());
    }

    @Test
    void runFolderHoldsModelMetricsEvaluationAndConfig() throws Exception {
        assertTrue(Files.isRegularFile(run.resolve("model.zip")));
        String prov = ModelFiles.provenance(run.resolve("model.zip"));
        assertNotNull(prov, "the model carries its provenance");
        assertTrue(prov.contains("\"train.replicas\":2"), prov);
        // 10 x 14 scan, right-most quarter (columns 10..13) held out: 100 training samples, 50 per
        // replica, 6 steps of 8 per epoch.
        assertEquals(12, MetricsCsv.read(run.resolve("metrics.csv")).rows());
        EvaluationFile.Scores s = EvaluationFile.read(run.resolve("evaluation.json"));
        assertEquals(SCAN_Y * 4, s.classification().count(), s.heldOut());
        assertEquals(json(demo.lastLine()).getDouble("accuracy"), s.classification().accuracy(), 1e-6);
        assertTrue(Files.readString(run.resolve("config.conf")).contains("/data/scan.npy"),
                "the saved config names the generated input");
    }

    @Test
    void phaseMapHasTheScansSize() throws Exception {
        assertMapMatchesScan(run.resolve("maps"));
    }

    @Test
    void reportIsWellFormedAndHoldsItsPictures() throws Exception {
        Path html = run.resolve("report.html");
        Document doc = DocumentBuilderFactory.newInstance().newDocumentBuilder().parse(html.toFile());
        NodeList imgs = doc.getElementsByTagName("img");
        assertEquals(1, imgs.getLength(), "the phase map");
        String src = ((Element) imgs.item(0)).getAttribute("src");
        assertTrue(src.startsWith("data:image/png;base64,"), "inline, no file or network reference");
        BufferedImage shown = ImageIO.read(new ByteArrayInputStream(Base64.getDecoder().decode(src.substring(22))));
        BufferedImage file = ImageIO.read(run.resolve("maps/phase_map.png").toFile());
        assertEquals(file.getWidth(), shown.getWidth());
        assertEquals(file.getHeight(), shown.getHeight());
        assertTrue(doc.getElementsByTagName("svg").getLength() >= 1, "the loss curve");
        String text = Files.readString(html);
        assertTrue(text.contains("Held-out accuracy"), "the scores");
        assertTrue(text.contains("demo train"), "the demo's stage timings are in the provenance");
    }

    @Test
    void inferOnTheDemosFolderWritesAMapOfTheScansSize() throws Exception {
        // Into a folder of its own, so the demo's report stays as the demo wrote it.
        Path out = dir.resolve("infer");
        List<String> args = new ArrayList<>(List.of("infer", "--model", run.resolve("model.zip").toString()));
        args.addAll(reduced());
        args.addAll(List.of("--set", "bragg.output.dir=" + out, "--set", "bragg.data.shards=" + run.resolve("shards")));
        Cli.Result r = Cli.run(args.toArray(String[]::new));
        assertEquals(0, r.code(), r.out() + r.err());
        Config last = json(r.lastLine());
        assertTrue(last.getStringList("maps").contains(out.resolve("maps/phase_map.png").toAbsolutePath().toString()),
                r.lastLine());
        assertMapMatchesScan(out.resolve("maps"));
    }

    /** phase_map.npy is [scan_y, scan_x]; the PNG has one block per position in its class's colour. */
    static void assertMapMatchesScan(Path maps) throws Exception {
        Path npy = maps.resolve("phase_map.npy");
        NpyHeader h = NpyHeader.read(npy);
        assertArrayEquals(new long[] {SCAN_Y, SCAN_X}, h.shape());
        ByteBuffer b = ByteBuffer.wrap(Files.readAllBytes(npy)).order(ByteOrder.LITTLE_ENDIAN);
        b.position((int) h.dataOffset());
        int[] cls = new int[SCAN_Y * SCAN_X];
        for (int i = 0; i < cls.length; i++) {
            cls[i] = b.getInt();
        }
        BufferedImage png = ImageIO.read(maps.resolve("phase_map.png").toFile());
        int s = MapImages.scale(SCAN_Y, SCAN_X);
        int left = 12;
        int top = 40;
        assertTrue(png.getWidth() >= left + SCAN_X * s && png.getHeight() >= top + SCAN_Y * s,
                png.getWidth() + "x" + png.getHeight() + " for " + SCAN_Y + "x" + SCAN_X + " positions of " + s + " px");
        Map<Integer, Integer> colour = new HashMap<>();
        for (int y = 0; y < SCAN_Y; y++) {
            for (int x = 0; x < SCAN_X; x++) {
                int rgb = png.getRGB(left + x * s + s / 2, top + y * s + s / 2);
                Integer seen = colour.putIfAbsent(cls[y * SCAN_X + x], rgb);
                assertEquals(seen == null ? rgb : seen, rgb, "position (" + y + ", " + x + ") is drawn in its class's colour");
            }
        }
        // The first block past the right edge is background, not a map colour.
        int outside = png.getRGB(left + SCAN_X * s + 2, top + s / 2);
        for (int c : colour.values()) {
            assertNotEquals(c, outside, "the map is exactly " + SCAN_X + " blocks wide");
        }
    }
}
