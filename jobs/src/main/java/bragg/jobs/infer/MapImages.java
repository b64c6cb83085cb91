package bragg.jobs.infer;

import bragg.jobs.report.AtomicFile;
import java.awt.BasicStroke;
import java.awt.Color;
import java.awt.Font;
import java.awt.Graphics2D;
import java.awt.RenderingHints;
import java.awt.image.BufferedImage;
import java.io.IOException;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import javax.imageio.ImageIO;

/**
 * The pictures of {@code infer}: a phase map, an orientation map and per-layer defect maps, each
 * with a title and a legend, drawn headless with java.awt (the numbers go to .npy through the data
 * area's {@code bragg.driver.io.NpyWriter}). Maps are row-major {@code [h, w]}
 * (scan y, scan x); each position becomes a square block of {@link #scale} pixels.
 */
public final class MapImages {
    static {
        // Jobs run on servers without a display.
        System.setProperty("java.awt.headless", "true");
    }

    private static final int PAD = 12;
    private static final int TITLE_H = 28;
    private static final Font TITLE = new Font(Font.SANS_SERIF, Font.BOLD, 14);
    private static final Font LABEL = new Font(Font.SANS_SERIF, Font.PLAIN, 12);

    private MapImages() {
    }

    /** Pixels per map position: small scans are enlarged to about 320 px, at most 16x. */
    public static int scale(int h, int w) {
        return Math.max(1, Math.min(16, 320 / Math.max(h, w)));
    }

    /**
     * @param classes [h*w] class index per position, -1 = none
     * @param names   class names, index = class
     */
    public static BufferedImage phaseMap(String title, int[] classes, int h, int w, List<String> names) {
        checkSize(classes.length, h, w);
        int[] counts = new int[names.size()];
        for (int c : classes) {
            if (c >= names.size()) {
                throw new IllegalArgumentException("phase map: class " + c + " has no name (" + names.size() + " names)");
            }
            if (c >= 0) {
                counts[c]++;
            }
        }
        int s = scale(h, w);
        int legendW = 190;
        int legendH = 22 * names.size();
        Canvas cv = new Canvas(title, w * s, h * s, legendW, legendH);
        for (int y = 0; y < h; y++) {
            for (int x = 0; x < w; x++) {
                cv.g.setColor(Colors.category(classes[y * w + x]));
                cv.g.fillRect(cv.mapX + x * s, cv.mapY + y * s, s, s);
            }
        }
        int ly = cv.mapY;
        for (int k = 0; k < names.size(); k++) {
            cv.g.setColor(Colors.category(k));
            cv.g.fillRect(cv.legendX, ly + 3, 14, 14);
            cv.g.setColor(Color.BLACK);
            cv.g.drawRect(cv.legendX, ly + 3, 14, 14);
            cv.g.drawString(String.format(Locale.ROOT, "%s  %.1f%%", names.get(k),
                    100.0 * counts[k] / Math.max(1, classes.length)), cv.legendX + 22, ly + 15);
            ly += 22;
        }
        return cv.done();
    }

    /**
     * @param degrees [h*w] in-plane angle per position (NaN = none)
     * @param period  symmetry period of the angle in degrees (colours wrap around after it)
     */
    public static BufferedImage orientationMap(String title, float[] degrees, int h, int w, double period) {
        checkSize(degrees.length, h, w);
        if (!(period > 0)) {
            throw new IllegalArgumentException("orientation map: period must be > 0 degrees, got " + period);
        }
        int s = scale(h, w);
        int r = 60;
        Canvas cv = new Canvas(title, w * s, h * s, 2 * r + 40, 2 * r + 40);
        for (int y = 0; y < h; y++) {
            for (int x = 0; x < w; x++) {
                cv.g.setColor(Colors.cyclic(degrees[y * w + x], period));
                cv.g.fillRect(cv.mapX + x * s, cv.mapY + y * s, s, s);
            }
        }
        // Legend: a colour wheel, one full turn = one period.
        int cx = cv.legendX + r + 10;
        int cy = cv.mapY + r + 10;
        for (int a = 0; a < 360; a++) {
            cv.g.setColor(Colors.cyclic(a * period / 360.0, period));
            cv.g.fillArc(cx - r, cy - r, 2 * r, 2 * r, a, 2);
        }
        cv.g.setColor(Color.WHITE);
        cv.g.fillOval(cx - r / 2, cy - r / 2, r, r);
        cv.g.setColor(Color.BLACK);
        for (int q = 0; q < 4; q++) {
            double ang = Math.toRadians(q * 90);
            String label = String.format(Locale.ROOT, "%.0f°", q * period / 4);
            int tx = (int) (cx + (r + 4) * Math.cos(ang));
            int ty = (int) (cy - (r + 4) * Math.sin(ang));
            int tw = cv.g.getFontMetrics().stringWidth(label);
            cv.g.drawString(label, q == 2 ? tx - tw : q == 0 ? tx : tx - tw / 2, q == 1 ? ty - 2 : q == 3 ? ty + 12 : ty + 4);
        }
        return cv.done();
    }

    /**
     * Per-layer maps of a probability (e.g. of a defect) in [0, 1], one panel per layer.
     *
     * @param values [layers*h*w]
     * @param layerIds printed layer number of each panel
     */
    public static BufferedImage layerMaps(String title, float[] values, int layers, int h, int w, int[] layerIds) {
        checkSize(values.length, layers * h, w);
        if (layerIds.length != layers) {
            throw new IllegalArgumentException("layer maps: " + layerIds.length + " layer ids for " + layers + " layers");
        }
        int cols = Math.min(layers, 4);
        int rows = (layers + cols - 1) / cols;
        int s = Math.max(1, Math.min(16, 160 / Math.max(h, w)));
        int cellW = w * s + PAD;
        int cellH = h * s + 18;
        Canvas cv = new Canvas(title, cols * cellW - PAD, rows * cellH, 90, 200);
        for (int l = 0; l < layers; l++) {
            int ox = cv.mapX + (l % cols) * cellW;
            int oy = cv.mapY + (l / cols) * cellH;
            cv.g.setColor(Color.BLACK);
            cv.g.drawString("layer " + layerIds[l], ox, oy + 12);
            for (int y = 0; y < h; y++) {
                for (int x = 0; x < w; x++) {
                    cv.g.setColor(Colors.sequential(values[(l * h + y) * w + x]));
                    cv.g.fillRect(ox + x * s, oy + 16 + y * s, s, s);
                }
            }
        }
        colorBar(cv.g, cv.legendX, cv.mapY, 180);
        return cv.done();
    }

    private static void colorBar(Graphics2D g, int x, int y, int height) {
        for (int i = 0; i < height; i++) {
            g.setColor(Colors.sequential(1.0 - (double) i / (height - 1)));
            g.fillRect(x, y + i, 16, 1);
        }
        g.setColor(Color.BLACK);
        g.drawRect(x, y, 16, height);
        g.drawString("1.0", x + 22, y + 10);
        g.drawString("0.5", x + 22, y + height / 2 + 4);
        g.drawString("0.0", x + 22, y + height);
    }

    private static void checkSize(int length, int h, int w) {
        if (h <= 0 || w <= 0 || (long) h * w != length) {
            throw new IllegalArgumentException("map of " + h + " x " + w + " positions needs " + (long) h * w
                    + " values, got " + length);
        }
    }

    /** Writes a PNG (temporary name, then rename). */
    public static void writePng(BufferedImage img, Path file) throws IOException {
        AtomicFile.write(file, tmp -> {
            if (!ImageIO.write(img, "png", tmp.toFile())) {
                throw new IOException("no PNG writer in this JVM for " + file);
            }
        });
    }

    /** A white image with a title line, a map area and a legend area to its right. */
    private static final class Canvas {
        final BufferedImage img;
        final Graphics2D g;
        final int mapX = PAD;
        final int mapY = PAD + TITLE_H;
        final int legendX;

        Canvas(String title, int mapW, int mapH, int legendW, int legendH) {
            legendX = mapX + mapW + 2 * PAD;
            int width = Math.max(legendX + legendW + PAD, PAD + 8 * title.length());
            int height = mapY + Math.max(mapH, legendH) + PAD;
            img = new BufferedImage(width, height, BufferedImage.TYPE_INT_RGB);
            g = img.createGraphics();
            g.setRenderingHint(RenderingHints.KEY_TEXT_ANTIALIASING, RenderingHints.VALUE_TEXT_ANTIALIAS_ON);
            g.setColor(Color.WHITE);
            g.fillRect(0, 0, width, height);
            g.setColor(Color.BLACK);
            g.setFont(TITLE);
            g.drawString(title, PAD, PAD + 16);
            g.setFont(LABEL);
            g.setStroke(new BasicStroke(1f));
        }

        BufferedImage done() {
            g.dispose();
            return img;
        }
    }
}
