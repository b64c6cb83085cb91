package bragg.jobs.report;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import bragg.jobs.config.BraggConfig;
import bragg.jobs.evaluate.ClassificationScores;
import bragg.jobs.infer.MapImages;
import java.awt.image.BufferedImage;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import javax.imageio.ImageIO;
import javax.xml.parsers.DocumentBuilderFactory;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.w3c.dom.Document;
import org.w3c.dom.Element;
import org.w3c.dom.NodeList;

class ReportWriterTest {

    @TempDir
    Path dir;

    @Test
    void reportIsWellFormedSelfContainedAndHoldsEveryPart() throws Exception {
        // Kept under target/ so scripts/check-report.sh can render it afterwards.
        Path dir = Path.of("target/report-test");
        Files.createDirectories(dir);
        Path csv = dir.resolve("metrics.csv");
        StringBuilder rows = new StringBuilder("step,epoch,loss,train_accuracy,samples_per_s,time\n");
        for (int s = 1; s <= 50; s++) {
            rows.append(s).append(',').append(1 + s / 25).append(',').append(2.0 / s).append(',')
                .append(s % 10 == 0 ? String.valueOf(0.5 + s / 100.0) : "").append(",120.5,2026-11-23T20:00\n");
        }
        Files.writeString(csv, rows);
        MetricsCsv metrics = MetricsCsv.read(csv);
        assertEquals(50, metrics.rows());
        assertFalse(metrics.columns().containsKey("time"), "text columns are not plotted");

        Path png = dir.resolve("phase_map.png");
        MapImages.writePng(MapImages.phaseMap("phase map", new int[] {0, 1, 1, 0}, 2, 2, List.of("fcc", "hcp <a>")), png);
        ClassificationScores scores = ClassificationScores.of(List.of("fcc", "hcp <a>"), new int[] {0, 1, 1, 0}, new int[] {0, 1, 0, 0});
        Map<String, String> prov = new LinkedHashMap<>();
        prov.put("code version", "0.1.0-SNAPSHOT");
        prov.put("seed", "42");
        Path html = ReportWriter.write(dir.resolve("report.html"), new ReportContent("demo & test", metrics, scores, null,
                List.of(new ReportContent.Figure("phase map", png)), BraggConfig.defaults().renderHocon(), prov));

        String text = Files.readString(html);
        assertFalse(text.matches("(?s).*(src|href)=\"(https?:)?//.*"), "no network fetches");
        assertFalse(text.contains("<script"), "no scripts");

        Document doc = DocumentBuilderFactory.newInstance().newDocumentBuilder().parse(html.toFile());
        assertEquals("bragg report: demo & test", doc.getElementsByTagName("title").item(0).getTextContent());
        assertEquals(3, doc.getElementsByTagName("svg").getLength(), "loss, accuracy and throughput charts: "
                + doc.getElementsByTagName("svg").getLength());
        NodeList imgs = doc.getElementsByTagName("img");
        assertEquals(1, imgs.getLength());
        String src = ((Element) imgs.item(0)).getAttribute("src");
        assertTrue(src.startsWith("data:image/png;base64,"));
        BufferedImage back = ImageIO.read(new ByteArrayInputStream(Base64.getDecoder().decode(src.substring(22))));
        assertEquals(ImageIO.read(png.toFile()).getWidth(), back.getWidth(), "the embedded picture is the PNG");
        assertTrue(text.contains("Held-out accuracy <b>75.00%</b> on 4 samples"), text);
        assertTrue(text.contains("hcp &lt;a&gt;"), "names are escaped");
        assertTrue(text.contains("epochs=3"), "config is shown");
        assertTrue(text.contains("0.1.0-SNAPSHOT"), "provenance is shown");
    }

    @Test
    void missingPartsAreSaidToBeMissing() throws Exception {
        Path html = ReportWriter.write(dir.resolve("r.html"),
                new ReportContent("empty", null, null, null, List.of(), "", Map.of()));
        String text = Files.readString(html);
        assertTrue(text.contains("No metrics.csv") && text.contains("No evaluation") && text.contains("No maps"), text);
        DocumentBuilderFactory.newInstance().newDocumentBuilder().parse(html.toFile());
    }

    @Test
    void badMetricsFileIsNamed() throws IOException {
        Path csv = dir.resolve("m.csv");
        Files.writeString(csv, "step,loss\n1,0.5\n2\n");
        String msg = assertThrows(IOException.class, () -> MetricsCsv.read(csv)).getMessage();
        assertTrue(msg.contains("m.csv line 3") && msg.contains("1 cells, header has 2"), msg);
    }
}
