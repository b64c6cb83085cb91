package bragg.jobs.infer;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.awt.image.BufferedImage;
import java.io.IOException;
import java.nio.file.Path;
import java.util.List;
import javax.imageio.ImageIO;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class MapImagesTest {

    @TempDir
    Path dir;

    @Test
    void phaseMapHasOneBlockPerScanPositionInTheClassColour() throws IOException {
        int h = 12;
        int w = 20;
        int[] classes = new int[h * w];
        for (int i = 0; i < classes.length; i++) {
            classes[i] = (i % w) < 8 ? 0 : 1;
        }
        classes[5 * w + 15] = -1;
        BufferedImage img = MapImages.phaseMap("phase map", classes, h, w, List.of("fcc", "hcp"));
        Path png = dir.resolve("phase.png");
        MapImages.writePng(img, png);
        BufferedImage back = ImageIO.read(png.toFile());
        int s = MapImages.scale(h, w);
        assertEquals(16, s);
        assertTrue(back.getWidth() >= 12 + w * s && back.getHeight() >= 40 + h * s, back.getWidth() + "x" + back.getHeight());
        // Centre of position (y=2, x=3) is class 0's colour; (2, 10) class 1's; (5, 15) the no-value grey.
        assertEquals(Colors.category(0).getRGB(), back.getRGB(12 + 3 * s + s / 2, 40 + 2 * s + s / 2));
        assertEquals(Colors.category(1).getRGB(), back.getRGB(12 + 10 * s + s / 2, 40 + 2 * s + s / 2));
        assertEquals(Colors.NONE.getRGB(), back.getRGB(12 + 15 * s + s / 2, 40 + 5 * s + s / 2));
    }

    @Test
    void orientationAndLayerMapsRender() {
        float[] deg = new float[6 * 7];
        for (int i = 0; i < deg.length; i++) {
            deg[i] = i * 3f;
        }
        BufferedImage o = MapImages.orientationMap("orientation", deg, 6, 7, 60);
        assertTrue(o.getWidth() > 7 * MapImages.scale(6, 7));
        float[] p = new float[3 * 4 * 5];
        BufferedImage l = MapImages.layerMaps("defects", p, 3, 4, 5, new int[] {10, 11, 12});
        assertTrue(l.getHeight() > 4);
    }

    @Test
    void wrongSizesAreNamed() {
        String msg = assertThrows(IllegalArgumentException.class,
                () -> MapImages.phaseMap("x", new int[10], 3, 4, List.of("a"))).getMessage();
        assertTrue(msg.contains("3 x 4") && msg.contains("12") && msg.contains("got 10"), msg);
        msg = assertThrows(IllegalArgumentException.class,
                () -> MapImages.phaseMap("x", new int[] {0, 2}, 1, 2, List.of("a", "b"))).getMessage();
        assertTrue(msg.contains("class 2 has no name"), msg);
    }
}
