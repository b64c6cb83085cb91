package bragg.jobs.report;

import java.util.Locale;
import java.util.Map;

/** Line charts as inline SVG (no scripts, no external resources): the report's loss and accuracy curves. */
public final class SvgChart {
    private static final String[] COLORS = {"#0072B2", "#D55E00", "#009E73", "#CC79A7", "#E69F00", "#56B4E9"};
    private static final int W = 520;
    private static final int H = 300;
    private static final int L = 60;
    private static final int R = 20;
    private static final int T = 30;
    private static final int B = 45;

    private SvgChart() {
    }

    /**
     * @param x      shared x values
     * @param series name -> y values (same length as x; NaN points are skipped)
     */
    public static String lines(String title, String xLabel, double[] x, Map<String, double[]> series) {
        double xMin = Double.POSITIVE_INFINITY;
        double xMax = Double.NEGATIVE_INFINITY;
        double yMin = Double.POSITIVE_INFINITY;
        double yMax = Double.NEGATIVE_INFINITY;
        for (double[] y : series.values()) {
            if (y.length != x.length) {
                throw new IllegalArgumentException("chart " + title + ": " + y.length + " y values for " + x.length + " x values");
            }
            for (int i = 0; i < x.length; i++) {
                if (Double.isFinite(y[i]) && Double.isFinite(x[i])) {
                    xMin = Math.min(xMin, x[i]);
                    xMax = Math.max(xMax, x[i]);
                    yMin = Math.min(yMin, y[i]);
                    yMax = Math.max(yMax, y[i]);
                }
            }
        }
        StringBuilder sb = new StringBuilder();
        sb.append(String.format(Locale.ROOT,
                "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"%d\" height=\"%d\" viewBox=\"0 0 %d %d\" role=\"img\">",
                W, H, W, H));
        sb.append("<title>").append(Html.escape(title)).append("</title>");
        sb.append(String.format(Locale.ROOT, "<text x=\"%d\" y=\"18\" font-size=\"14\" font-weight=\"bold\">%s</text>",
                L, Html.escape(title)));
        if (xMin > xMax) {
            sb.append(String.format(Locale.ROOT, "<text x=\"%d\" y=\"%d\" font-size=\"12\">no data points</text></svg>", L, H / 2));
            return sb.toString();
        }
        if (xMax == xMin) {
            xMax = xMin + 1;
        }
        if (yMax == yMin) {
            yMax = yMin + Math.max(1e-9, Math.abs(yMin) * 0.1);
        }
        double pad = (yMax - yMin) * 0.05;
        yMin -= pad;
        yMax += pad;
        int pw = W - L - R;
        int ph = H - T - B;
        sb.append(String.format(Locale.ROOT,
                "<rect x=\"%d\" y=\"%d\" width=\"%d\" height=\"%d\" fill=\"none\" stroke=\"#888\"/>", L, T, pw, ph));
        for (int i = 0; i <= 4; i++) {
            double yv = yMin + (yMax - yMin) * i / 4;
            double py = T + ph - ph * (double) i / 4;
            sb.append(String.format(Locale.ROOT,
                    "<line x1=\"%d\" x2=\"%d\" y1=\"%.1f\" y2=\"%.1f\" stroke=\"#ddd\"/>"
                            + "<text x=\"%d\" y=\"%.1f\" font-size=\"11\" text-anchor=\"end\">%s</text>",
                    L, L + pw, py, py, L - 4, py + 4, tick(yv)));
            double xv = xMin + (xMax - xMin) * i / 4;
            double px = L + pw * (double) i / 4;
            sb.append(String.format(Locale.ROOT,
                    "<text x=\"%.1f\" y=\"%d\" font-size=\"11\" text-anchor=\"middle\">%s</text>", px, T + ph + 15, tick(xv)));
        }
        sb.append(String.format(Locale.ROOT,
                "<text x=\"%d\" y=\"%d\" font-size=\"12\" text-anchor=\"middle\">%s</text>", L + pw / 2, H - 8, Html.escape(xLabel)));
        int k = 0;
        for (Map.Entry<String, double[]> e : series.entrySet()) {
            String color = COLORS[k % COLORS.length];
            StringBuilder pts = new StringBuilder();
            double[] y = e.getValue();
            for (int i = 0; i < x.length; i++) {
                if (Double.isFinite(y[i]) && Double.isFinite(x[i])) {
                    double px = L + pw * (x[i] - xMin) / (xMax - xMin);
                    double py = T + ph - ph * (y[i] - yMin) / (yMax - yMin);
                    pts.append(String.format(Locale.ROOT, "%.1f,%.1f ", px, py));
                }
            }
            sb.append("<polyline fill=\"none\" stroke-width=\"1.5\" stroke=\"").append(color)
              .append("\" points=\"").append(pts.toString().trim()).append("\"/>");
            sb.append(String.format(Locale.ROOT,
                    "<rect x=\"%d\" y=\"%d\" width=\"12\" height=\"3\" fill=\"%s\"/>"
                            + "<text x=\"%d\" y=\"%d\" font-size=\"11\">%s</text>",
                    L + pw - 150, T + 10 + 15 * k, color, L + pw - 134, T + 14 + 15 * k, Html.escape(e.getKey())));
            k++;
        }
        return sb.append("</svg>").toString();
    }

    private static String tick(double v) {
        if (v == Math.rint(v) && Math.abs(v) < 1e6) {
            return String.format(Locale.ROOT, "%d", (long) v);
        }
        return String.format(Locale.ROOT, "%.3g", v);
    }
}
