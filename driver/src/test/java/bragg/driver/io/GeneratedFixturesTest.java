package bragg.driver.io;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.awt.image.BufferedImage;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import javax.imageio.IIOImage;
import javax.imageio.ImageIO;
import javax.imageio.ImageWriter;
import javax.imageio.stream.ImageOutputStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Every reader on files made here with known contents; bad headers give clear errors. */
class GeneratedFixturesTest {
    @TempDir
    Path dir;

    static void assertValues(SampleSource s, int n) throws IOException {
        float[] v = RealFilesTest.all(s);
        assertEquals(n, v.length);
        for (int i = 0; i < n; i++) assertEquals(Fixtures.value(i), v[i], 0, "element " + i + " of " + s.info().path());
    }

    @Test
    void npyVersionsOrdersAndTypes() throws IOException {
        long[] shape = {2, 3, 4, 5};
        int i = 0;
        for (int major : new int[]{1, 2, 3}) {
            for (String t : List.of("|u1", "<u2", ">u2", "<u4", ">u4", "<f4", ">f4", "<f8", ">f8")) {
                for (boolean fortran : new boolean[]{false, true}) {
                    Path p = Fixtures.npy(dir, "a" + i++ + ".npy", major, t, fortran, shape);
                    SampleSource s = Sources.open(p, OpenOptions.NONE);
                    assertEquals("npy", s.info().format());
                    assertArrayEquals(shape, s.info().shape());
                    assertValues(s, 120);
                    // a slab in the middle, crossing the first scan axis
                    float[] part = new float[3 * 20];
                    try (SlabReader r = s.open()) {
                        r.read(2, 3, part);
                    }
                    for (int k = 0; k < part.length; k++) assertEquals(Fixtures.value(40 + k), part[k], p + " " + t + " F=" + fortran);
                }
            }
        }
    }

    @Test
    void npyTruncatedNamesSizes() throws IOException {
        Path p = Fixtures.npy(dir, "t.npy", 1, "<u2", false, new long[]{4, 8, 8});
        byte[] all = Files.readAllBytes(p);
        Files.write(p, Arrays.copyOf(all, all.length - 10));
        IOException e = assertThrows(IOException.class, () -> Sources.open(p, OpenOptions.NONE));
        assertTrue(e.getMessage().contains("t.npy") && e.getMessage().contains("truncated") && e.getMessage().contains(Integer.toString(all.length - 10)), e.getMessage());
    }

    @Test
    void rawDeclaredShapeMustMatchSize() throws IOException {
        Path p = dir.resolve("frames.bin");
        Files.write(p, new byte[2 * 6 * 6 * 2 + 5]);
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> Sources.open(p, OpenOptions.NONE.withShape(new long[]{2, 6, 6}).withDtype(DType.U16)));
        assertTrue(e.getMessage().contains("frames.bin") && e.getMessage().contains("[2, 6, 6]") && e.getMessage().contains("149 bytes"), e.getMessage());
        Files.write(p, new byte[2 * 6 * 6 * 2]);
        assertArrayEquals(new long[]{2, 6, 6}, Sources.open(p, OpenOptions.NONE.withShape(new long[]{2, 6, 6}).withDtype(DType.U16).withByteOrder("big")).info().shape());
        IllegalArgumentException u = assertThrows(IllegalArgumentException.class, () -> Sources.open(p, OpenOptions.NONE));
        assertTrue(u.getMessage().contains("not recognised"), u.getMessage());
    }

    @Test
    void mibDepthsChipsAndBadSizes() throws IOException {
        for (String t : List.of("U08", "U16", "U32")) {
            Path p = Fixtures.mib(dir, "s" + t + ".mib", 6, 8, 8, t, 384, 1);
            SampleSource s = Sources.open(p, OpenOptions.NONE.withScan(new long[]{2, 3}));
            assertArrayEquals(new long[]{2, 3, 8, 8}, s.info().shape());
            assertValues(s, 6 * 64);
        }
        Path quad = Fixtures.mib(dir, "quad.mib", 2, 16, 16, "U16", 768, 4);
        assertValues(Sources.open(quad, OpenOptions.NONE), 2 * 256);
        assertEquals("4", Sources.open(quad, OpenOptions.NONE).info().metadata().get("chips"));
        // truncated: one frame cut short
        byte[] all = Files.readAllBytes(quad);
        Path cut = dir.resolve("cut.mib");
        Files.write(cut, Arrays.copyOf(all, all.length - 100));
        IOException e = assertThrows(IOException.class, () -> Sources.open(cut, OpenOptions.NONE));
        assertTrue(e.getMessage().contains("cut.mib") && e.getMessage().contains("1280 bytes") && e.getMessage().contains("1 frames and 1180 bytes left over"), e.getMessage());
        // scan shape that does not match the frame count
        IllegalArgumentException s = assertThrows(IllegalArgumentException.class, () -> Sources.open(quad, OpenOptions.NONE.withScan(new long[]{3, 1})));
        assertTrue(s.getMessage().contains("3 positions") && s.getMessage().contains("2 samples"), s.getMessage());
        // a frame whose header is damaged is named with its offset
        all[1280 + 1] = 'X';
        Files.write(cut, all);
        IOException m = assertThrows(IOException.class, () -> RealFilesTest.all(Sources.open(cut, OpenOptions.NONE)));
        assertTrue(m.getMessage().contains("frame 1 at byte offset 1280"), m.getMessage());
    }

    @Test
    void mibRawModeAllDepthsSingleAndQuad() throws IOException {
        Object[][] cases = {{1, false, 64, 64}, {6, false, 64, 64}, {12, false, 64, 64}, {24, false, 64, 64},
                {1, true, 256, 256}, {6, true, 128, 128}, {12, true, 128, 128}};
        for (Object[] c : cases) {
            int depth = (int) c[0];
            boolean quad = (boolean) c[1];
            int h = (int) c[2], w = (int) c[3];
            Path p = Fixtures.mibRaw(dir, "raw" + depth + quad + ".mib", 3, h, w, depth, quad);
            SampleSource s = Sources.open(p, OpenOptions.NONE);
            String what = "depth " + depth + (quad ? " quad" : " single");
            assertArrayEquals(new long[]{3, h, w}, s.info().shape(), what);
            assertEquals(depth <= 6 ? DType.U8 : depth == 12 ? DType.U16 : DType.U32, s.info().dtype(), what);
            assertTrue(s.info().metadata().get("raw_mode").startsWith("R64, counter depth " + depth), what);
            float[] v = RealFilesTest.all(s);
            for (int f = 0; f < 3; f++) for (int y = 0; y < h; y++) for (int x = 0; x < w; x++) {
                assertEquals(Fixtures.rawPixel(depth, f, y, x, w), v[(f * h + y) * w + x], what + " frame " + f + " (" + y + ", " + x + ")");
            }
            // a slab that starts at frame 1 decodes the same
            float[] part = new float[h * w];
            try (SlabReader r = s.open()) {
                r.read(2, 1, part);
            }
            for (int i = 0; i < part.length; i++) assertEquals(v[2 * h * w + i], part[i], what);
        }
        // raw frames without a counter depth anywhere cannot be decoded: the error says where it looked
        Path p = Fixtures.mibRaw(dir, "nodepth.mib", 1, 64, 64, 6, false);
        byte[] b = Files.readAllBytes(p);
        String head = new String(b, 0, 384, java.nio.charset.StandardCharsets.US_ASCII);
        int at = head.indexOf("MQ1A");
        for (int i = at; i < 384; i++) b[i] = 0;
        Files.write(p, b);
        IOException e = assertThrows(IOException.class, () -> Sources.open(p, OpenOptions.NONE));
        assertTrue(e.getMessage().contains("nodepth.mib") && e.getMessage().contains("R64") && e.getMessage().contains("Counter Depth"), e.getMessage());
    }

    @Test
    void mibOneBitFramesAndScanShapeFromHdr() throws IOException {
        // 1-bit counters in assembled mode are one U08 byte per pixel, 0 or 1
        Path p = Fixtures.mib(dir, "bits.mib", 6, 8, 8, "U08", 384, 1);
        byte[] b = Files.readAllBytes(p);
        for (int f = 0; f < 6; f++) for (int i = 0; i < 64; i++) b[f * (384 + 64) + 384 + i] = (byte) (Fixtures.value(f * 64 + i) % 2);
        Files.write(p, b);
        Files.writeString(dir.resolve("bits.hdr"), "HDR,\t\nCounter Depth (number):\t1\nFrames in Acquisition (Number):\t6\n"
                + "Frames per Trigger (Number):\t3\nEnd\t\n");
        SampleSource s = Sources.open(p, OpenOptions.NONE);
        // the .hdr's Frames per Trigger is the scan row length: 6 frames = 2 rows of 3
        assertArrayEquals(new long[]{2, 3, 8, 8}, s.info().shape());
        assertEquals("1", s.info().metadata().get("counter_depth"));
        assertTrue(s.info().metadata().get("scan_from").startsWith("hdr"), s.info().metadata().toString());
        float[] v = RealFilesTest.all(s);
        for (int i = 0; i < v.length; i++) assertEquals(Fixtures.value(i) % 2, v[i]);
        // the user's scan shape wins over the header's
        assertArrayEquals(new long[]{6, 1, 8, 8}, Sources.open(p, OpenOptions.NONE.withScan(new long[]{6, 1})).info().shape());
        // a frame count that is not whole rows leaves the positions flat
        Files.writeString(dir.resolve("bits.hdr"), "HDR,\t\nFrames per Trigger (Number):\t4\nEnd\t\n");
        assertArrayEquals(new long[]{6, 8, 8}, Sources.open(p, OpenOptions.NONE).info().shape());
    }

    @Test
    void imagesByContentMultiPageTiffRgbAndClassFolders() throws IOException {
        // multi-page grey TIFF with a misleading extension
        BufferedImage[] pages = new BufferedImage[3];
        for (int k = 0; k < 3; k++) {
            pages[k] = new BufferedImage(8, 6, BufferedImage.TYPE_BYTE_GRAY);
            int[] px = new int[48];
            for (int i = 0; i < 48; i++) px[i] = (int) Fixtures.value(k * 48 + i);
            pages[k].getRaster().setPixels(0, 0, 8, 6, px);
        }
        Path tif = dir.resolve("stack.dat");
        ImageWriter w = ImageIO.getImageWritersByFormatName("tiff").next();
        try (ImageOutputStream out = ImageIO.createImageOutputStream(tif.toFile())) {
            w.setOutput(out);
            w.prepareWriteSequence(null);
            for (BufferedImage p : pages) w.writeToSequence(new IIOImage(p, null, null), null);
            w.endWriteSequence();
        }
        SampleSource t = Sources.open(tif, OpenOptions.NONE);
        assertEquals("tiff", t.info().format());
        assertArrayEquals(new long[]{3, 6, 8}, t.info().shape());
        assertValues(t, 144);
        // RGB PNG and BMP in class folders; RGB read as 3 channels or as luminance
        Files.createDirectories(dir.resolve("cls/a"));
        Files.createDirectories(dir.resolve("cls/b"));
        BufferedImage rgb = new BufferedImage(4, 4, BufferedImage.TYPE_INT_RGB);
        rgb.setRGB(1, 2, 0x102030);
        ImageIO.write(rgb, "png", dir.resolve("cls/a/x.png").toFile());
        ImageIO.write(rgb, "bmp", dir.resolve("cls/b/y.img").toFile());
        ImageIO.write(rgb, "jpeg", dir.resolve("cls/b/z.jpg").toFile());
        Files.writeString(dir.resolve("cls/b/notes.txt"), "not an image");
        SampleSource c = Sources.open(dir.resolve("cls"), OpenOptions.NONE);
        assertArrayEquals(new long[]{3, 3, 4, 4}, c.info().shape());
        assertEquals(List.of("a", "b"), c.labelNames());
        assertArrayEquals(new int[]{0, 1, 1}, c.layoutLabels());
        float[] v = RealFilesTest.all(c);
        assertEquals(0x10, v[2 * 4 + 1]);
        assertEquals(0x20, v[16 + 2 * 4 + 1]);
        assertEquals(0x30, v[32 + 2 * 4 + 1]);
        SampleSource grey = Sources.open(dir.resolve("cls"), OpenOptions.NONE.withChannels(1));
        assertEquals(0.299 * 16 + 0.587 * 32 + 0.114 * 48, RealFilesTest.all(grey)[2 * 4 + 1], 1e-3);
        IllegalArgumentException empty = assertThrows(IllegalArgumentException.class, () -> Sources.open(Files.createDirectories(dir.resolve("none")), OpenOptions.NONE));
        assertTrue(empty.getMessage().contains("no images"), empty.getMessage());
    }
}
