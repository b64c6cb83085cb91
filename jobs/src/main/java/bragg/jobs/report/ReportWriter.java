package bragg.jobs.report;

import bragg.jobs.evaluate.ClassificationScores;
import bragg.jobs.evaluate.RegressionScores;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Base64;
import java.util.Locale;
import java.util.Map;

/**
 * Writes a run's report.html: one self-contained file (inline CSS and SVG, pictures as base64
 * PNG, no scripts, no network fetches) that opens from a laptop, an email or a shared drive.
 * The markup is also well-formed XML (polyglot HTML), so tests parse it with the JDK's XML parser;
 * scripts/check-report.sh renders it in headless Chromium.
 */
public final class ReportWriter {
    private ReportWriter() {
    }

    private static final String CSS = """
            body{font-family:system-ui,-apple-system,"DejaVu Sans",sans-serif;margin:2em auto;max-width:1100px;color:#222;padding:0 1em}
            h1{font-size:1.5em;margin-bottom:.2em}h2{font-size:1.15em;border-bottom:1px solid #ccc;padding-bottom:.2em;margin-top:1.8em}
            .headline{font-size:1.1em;color:#333}.headline b{font-size:1.3em}
            table{border-collapse:collapse;margin:.5em 0}td,th{border:1px solid #ccc;padding:.25em .6em;text-align:right}
            th{background:#f4f4f4}td.name,th.name{text-align:left}
            .charts{display:flex;flex-wrap:wrap;gap:1em}figure{margin:0 0 1em 0}figcaption{font-size:.9em;color:#555}
            pre{background:#f7f7f7;border:1px solid #ddd;padding:.8em;overflow:auto;font-size:.85em}
            .missing{color:#888;font-style:italic}
            """;

    /** Writes the report to {@code html} (temporary name, then rename) and returns its path. */
    public static Path write(Path html, ReportContent c) throws IOException {
        StringBuilder sb = new StringBuilder();
        sb.append("<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\"/>")
          .append("<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\"/>")
          .append("<title>").append(Html.escape("bragg report: " + c.title())).append("</title>")
          .append("<style>").append(CSS).append("</style></head><body>\n");
        sb.append("<h1>").append(Html.escape(c.title())).append("</h1>\n");
        headline(sb, c);

        sb.append("<h2 id=\"curves\">Training curves</h2>\n");
        curves(sb, c.metrics());

        sb.append("<h2 id=\"evaluation\">Held-out evaluation</h2>\n");
        if (c.classification() == null && c.regression() == null) {
            sb.append("<p class=\"missing\">No evaluation in this run.</p>\n");
        }
        if (c.classification() != null) {
            classification(sb, c.classification());
        }
        if (c.regression() != null) {
            regression(sb, c.regression());
        }

        sb.append("<h2 id=\"maps\">Maps</h2>\n");
        if (c.figures().isEmpty()) {
            sb.append("<p class=\"missing\">No maps in this run.</p>\n");
        }
        for (ReportContent.Figure f : c.figures()) {
            byte[] png = Files.readAllBytes(f.png());
            sb.append("<figure><img alt=\"").append(Html.escape(f.caption())).append("\" src=\"data:image/png;base64,")
              .append(Base64.getEncoder().encodeToString(png)).append("\"/><figcaption>")
              .append(Html.escape(f.caption())).append(" (").append(Html.escape(f.png().getFileName().toString()))
              .append(")</figcaption></figure>\n");
        }

        sb.append("<h2 id=\"provenance\">Provenance</h2>\n<table>\n");
        for (Map.Entry<String, String> e : c.provenance().entrySet()) {
            sb.append("<tr><th class=\"name\">").append(Html.escape(e.getKey())).append("</th><td class=\"name\">")
              .append(Html.escape(e.getValue())).append("</td></tr>\n");
        }
        sb.append("</table>\n");
        sb.append("<h2 id=\"config\">Configuration</h2>\n<pre>").append(Html.escape(c.configHocon())).append("</pre>\n");
        sb.append("</body></html>\n");

        return AtomicFile.write(html, sb);
    }

    private static void headline(StringBuilder sb, ReportContent c) {
        sb.append("<p class=\"headline\">");
        if (c.classification() != null) {
            sb.append(String.format(Locale.ROOT, "Held-out accuracy <b>%.2f%%</b> on %d samples. ",
                    100 * c.classification().accuracy(), c.classification().count()));
        }
        if (c.metrics() != null && c.metrics().rows() > 0) {
            double[] steps = c.metrics().steps();
            sb.append(String.format(Locale.ROOT, "%d steps logged.", (long) steps[steps.length - 1]));
        }
        sb.append("</p>\n");
    }

    private static void curves(StringBuilder sb, MetricsCsv m) {
        if (m == null || m.rows() == 0) {
            sb.append("<p class=\"missing\">No metrics.csv in this run.</p>\n");
            return;
        }
        sb.append("<div class=\"charts\">");
        Map<String, double[]> loss = m.matching("loss");
        Map<String, double[]> acc = m.matching("acc");
        if (!loss.isEmpty()) {
            sb.append(SvgChart.lines("Loss", "step", m.steps(), loss));
        }
        if (!acc.isEmpty()) {
            sb.append(SvgChart.lines("Accuracy", "step", m.steps(), acc));
        }
        Map<String, double[]> speed = m.matching("samples");
        if (!speed.isEmpty()) {
            sb.append(SvgChart.lines("Throughput (samples/s)", "step", m.steps(), speed));
        }
        sb.append("</div>\n");
    }

    private static void classification(StringBuilder sb, ClassificationScores s) {
        sb.append("<table><tr><th class=\"name\">class</th><th>precision</th><th>recall</th><th>F1</th><th>support</th></tr>\n");
        for (ClassificationScores.PerClass p : s.perClass()) {
            sb.append(String.format(Locale.ROOT, "<tr><td class=\"name\">%s</td><td>%s</td><td>%s</td><td>%s</td><td>%d</td></tr>%n",
                    Html.escape(p.name()), num(p.precision()), num(p.recall()), num(p.f1()), p.support()));
        }
        sb.append("</table>\n");
        int[][] cm = s.confusion();
        int max = 1;
        for (int[] row : cm) {
            for (int v : row) {
                max = Math.max(max, v);
            }
        }
        sb.append("<p>Confusion matrix (rows: actual class, columns: predicted class)</p>\n");
        sb.append("<table class=\"confusion\"><tr><th class=\"name\">actual \\ predicted</th>");
        for (String n : s.labelNames()) {
            sb.append("<th>").append(Html.escape(n)).append("</th>");
        }
        sb.append("</tr>\n");
        for (int a = 0; a < cm.length; a++) {
            sb.append("<tr><th class=\"name\">").append(Html.escape(s.labelNames().get(a))).append("</th>");
            for (int p = 0; p < cm[a].length; p++) {
                double f = (double) cm[a][p] / max;
                int shade = (int) Math.round(255 - 160 * f);
                String bg = a == p ? String.format(Locale.ROOT, "rgb(%d,%d,255)", shade, shade)
                        : String.format(Locale.ROOT, "rgb(255,%d,%d)", shade, shade);
                sb.append("<td style=\"background:").append(bg).append("\">").append(cm[a][p]).append("</td>");
            }
            sb.append("</tr>\n");
        }
        sb.append("</table>\n");
    }

    private static void regression(StringBuilder sb, RegressionScores r) {
        sb.append(String.format(Locale.ROOT, "<p>Regression on %d held-out samples</p>%n", r.count()));
        sb.append("<table><tr><th class=\"name\">target</th><th>MSE</th><th>MAE</th><th>RMSE</th><th>R&#178;</th></tr>\n");
        for (RegressionScores.Column c : r.columns()) {
            sb.append(String.format(Locale.ROOT, "<tr><td class=\"name\">%s</td><td>%s</td><td>%s</td><td>%s</td><td>%s</td></tr>%n",
                    Html.escape(c.name()), num(c.mse()), num(c.mae()), num(c.rmse()), num(c.r2())));
        }
        sb.append("</table>\n");
    }

    private static String num(double v) {
        return Double.isFinite(v) ? String.format(Locale.ROOT, "%.4f", v) : "&#8211;";
    }
}
