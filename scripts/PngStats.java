import java.awt.image.BufferedImage;
import java.io.File;
import java.util.HashSet;
import java.util.Set;
import javax.imageio.ImageIO;

/**
 * Says whether a screenshot shows a page or a blank: prints its size, distinct colours and the share
 * of non-white pixels, and exits 1 when the page is blank (fewer than 8 colours or under 1% ink).
 * Run as a single-file program: java scripts/PngStats.java shot.png (used by check-report.sh).
 */
public class PngStats {
    public static void main(String[] args) throws Exception {
        System.setProperty("java.awt.headless", "true");
        BufferedImage img = ImageIO.read(new File(args[0]));
        if (img == null) {
            System.out.println("not a PNG: " + args[0]);
            System.exit(1);
        }
        Set<Integer> colours = new HashSet<>();
        long ink = 0;
        for (int y = 0; y < img.getHeight(); y++) {
            for (int x = 0; x < img.getWidth(); x++) {
                int rgb = img.getRGB(x, y) & 0xFFFFFF;
                colours.add(rgb);
                if (rgb != 0xFFFFFF) {
                    ink++;
                }
            }
        }
        double share = (double) ink / ((long) img.getWidth() * img.getHeight());
        String stats = img.getWidth() + "x" + img.getHeight() + ", " + colours.size() + " colours, "
                + String.format(java.util.Locale.ROOT, "%.1f%%", 100 * share) + " ink";
        System.out.println(stats);
        if (colours.size() < 8 || share < 0.01) {
            System.out.println("blank page: " + stats);
            System.exit(1);
        }
    }
}
