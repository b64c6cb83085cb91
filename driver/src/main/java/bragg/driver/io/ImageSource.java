package bragg.driver.io;

import java.awt.image.BufferedImage;
import java.awt.image.DataBuffer;
import java.awt.image.IndexColorModel;
import java.awt.image.Raster;
import java.io.IOException;
import java.io.Serializable;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import javax.imageio.ImageIO;
import javax.imageio.ImageReader;
import javax.imageio.ImageTypeSpecifier;
import javax.imageio.stream.ImageInputStream;

/**
 * Images as samples: one image file, a multi-page TIFF, a folder of images (sorted by name; an
 * LPBF stack has one image per layer) or a folder of class folders (folder name = label).
 * Formats are recognised by content; files that are not images (README, labels.csv) are skipped.
 * Grey images give samples [H, W]; others [C, H, W] with C as stored (grey + alpha 2, RGB 3, RGBA 4)
 * unless option channels asks for 1 (luminance) or 3; the dtype is the stored sample type. Java's ImageIO reads TIFF, PNG, JPEG, BMP, GIF.
 */
public final class ImageSource implements SampleSource {
    /** One sample: a page of an image file. */
    record Entry(String file, int page, int label) implements Serializable {
    }

    private final ArrayInfo info;
    private final List<Entry> entries;
    private final List<String> classes;
    private final int channels;
    private final int height;
    private final int width;

    private ImageSource(ArrayInfo info, List<Entry> entries, List<String> classes, int channels, int height, int width) {
        this.info = info;
        this.entries = entries;
        this.classes = classes;
        this.channels = channels;
        this.height = height;
        this.width = width;
    }

    public static ImageSource open(Path input, OpenOptions opt) throws IOException {
        List<Entry> entries = new ArrayList<>();
        List<String> classes = new ArrayList<>();
        if (Files.isDirectory(input)) {
            List<Path> dirs = sorted(input).stream().filter(Files::isDirectory).toList();
            List<Path> files = images(input);
            if (!dirs.isEmpty() && files.isEmpty()) {
                for (Path d : dirs) {
                    List<Path> imgs = images(d);
                    if (imgs.isEmpty()) continue;
                    classes.add(d.getFileName().toString());
                    for (Path p : imgs) addPages(p, classes.size() - 1, entries);
                }
            } else {
                for (Path p : files) addPages(p, -1, entries);
            }
        } else {
            addPages(input, -1, entries);
        }
        if (entries.isEmpty()) throw new IllegalArgumentException(input + ": no images (TIFF, PNG, JPEG, BMP, GIF by content) found");
        Entry first = entries.get(0);
        int[] hw;
        int ch;
        int stored;
        DType dt;
        try (Opened o = Opened.of(first.file())) {
            hw = new int[]{o.reader.getHeight(first.page()), o.reader.getWidth(first.page())};
            ImageTypeSpecifier t = typeOf(o.reader, first.page());
            stored = channelsOf(t);
            ch = opt.channels() != null ? opt.channels() : stored;
            dt = dtypeOf(t);
        }
        // Every image must have the first one's size unless the user asked for a resize; the
        // check reads image headers only.
        if (opt.imageSize() == null) {
            for (Entry e : entries) {
                try (Opened o = Opened.of(e.file())) {
                    int h = o.reader.getHeight(e.page());
                    int w = o.reader.getWidth(e.page());
                    if (h != hw[0] || w != hw[1]) {
                        throw new IllegalArgumentException(e.file() + (e.page() > 0 ? " page " + e.page() : "") + ": image is " + h + "x" + w
                                + " (HxW) but " + first.file() + " is " + hw[0] + "x" + hw[1] + "; set image_size to resize all images to one size");
                    }
                }
            }
        }
        int h = opt.imageSize() == null ? hw[0] : opt.imageSize()[0];
        int w = opt.imageSize() == null ? hw[1] : opt.imageSize()[1];
        long n = entries.size();
        long[] shape = ch == 1 ? new long[]{n, h, w} : new long[]{n, ch, h, w};
        Shapes.checkDeclared(input.toString(), opt.shape(), shape);
        List<String> axes = ch == 1 ? List.of("image", "y", "x") : List.of("image", "channel", "y", "x");
        Map<String, String> meta = new LinkedHashMap<>();
        meta.put("images", Long.toString(n));
        meta.put("stored_channels", Integer.toString(stored));
        if (stored != ch) meta.put("channel_conversion", stored + " stored -> " + ch + (stored == 2 || stored == 4 ? " (alpha dropped" + (ch == 1 ? ", colour to luminance)" : ")") : ch == 1 ? " (luminance)" : " (grey repeated)"));
        meta.put("first_format", FileKind.of(Path.of(first.file())).name().toLowerCase());
        if (!classes.isEmpty()) meta.put("classes", String.join(",", classes));
        if (opt.imageSize() != null) meta.put("resized_from", hw[0] + "x" + hw[1] + " (first image)");
        String format = FileKind.of(Path.of(first.file())).name().toLowerCase() + (Files.isDirectory(input) ? "-folder" : "");
        ArrayInfo info = new ArrayInfo(format, input.toString(), shape, ch == 1 ? 2 : 3, dt, byteOrder(Path.of(first.file()), dt), axes, meta);
        return new ImageSource(info, entries, classes, ch, h, w);
    }

    private static List<Path> sorted(Path dir) throws IOException {
        try (Stream<Path> s = Files.list(dir)) {
            return s.sorted().toList();
        }
    }

    private static List<Path> images(Path dir) throws IOException {
        List<Path> out = new ArrayList<>();
        for (Path p : sorted(dir)) if (Files.isRegularFile(p) && FileKind.of(p).isImage()) out.add(p);
        return out;
    }

    private static void addPages(Path p, int label, List<Entry> out) throws IOException {
        FileKind k = FileKind.of(p);
        if (!k.isImage()) throw new IllegalArgumentException(p + ": not an image (first bytes are not TIFF, PNG, JPEG, BMP or GIF)");
        int pages = 1;
        if (k == FileKind.TIFF) {
            try (Opened o = Opened.of(p.toString())) {
                pages = o.reader.getNumImages(true);
            }
        }
        for (int i = 0; i < pages; i++) out.add(new Entry(p.toString(), i, label));
    }

    /** TIFF says its byte order in its first two bytes; PNG stores 16-bit samples big-endian. */
    private static String byteOrder(Path file, DType dt) throws IOException {
        if (dt.size == 1) return "none";
        FileKind k = FileKind.of(file);
        if (k == FileKind.PNG) return "big";
        if (k != FileKind.TIFF) return "none";
        try (java.io.InputStream in = Files.newInputStream(file)) {
            return in.read() == 'M' ? "big" : "little";
        }
    }

    private static ImageTypeSpecifier typeOf(ImageReader r, int page) throws IOException {
        ImageTypeSpecifier t = r.getRawImageType(page);
        if (t == null) {
            Iterator<ImageTypeSpecifier> it = r.getImageTypes(page);
            t = it.hasNext() ? it.next() : null;
        }
        return t;
    }

    /** Channels as stored: grey 1, grey + alpha 2, RGB 3, RGBA 4 (a colour palette counts as RGB). */
    private static int channelsOf(ImageTypeSpecifier t) {
        if (t == null) return 1;
        if (t.getColorModel() instanceof IndexColorModel icm) return greyPalette(icm) ? 1 : 3;
        return Math.min(4, t.getSampleModel().getNumBands());
    }

    /** The stored sample type (16-bit and float TIFFs are common for detector images). */
    private static DType dtypeOf(ImageTypeSpecifier t) {
        if (t == null || t.getColorModel() instanceof IndexColorModel) return DType.U8;
        return switch (t.getSampleModel().getDataType()) {
            case DataBuffer.TYPE_USHORT -> DType.U16;
            case DataBuffer.TYPE_SHORT -> DType.I16;
            case DataBuffer.TYPE_INT -> DType.I32;
            case DataBuffer.TYPE_FLOAT -> DType.F32;
            case DataBuffer.TYPE_DOUBLE -> DType.F64;
            default -> DType.U8;
        };
    }

    private static boolean greyPalette(IndexColorModel icm) {
        for (int i = 0; i < icm.getMapSize(); i++) {
            if (icm.getRed(i) != icm.getGreen(i) || icm.getGreen(i) != icm.getBlue(i)) return false;
        }
        return true;
    }

    /** Class names of a folder-per-class layout (empty otherwise). */
    @Override
    public List<String> labelNames() {
        return classes;
    }

    @Override
    public int[] layoutLabels() {
        if (classes.isEmpty()) return null;
        return entries.stream().mapToInt(Entry::label).toArray();
    }

    @Override
    public ArrayInfo info() {
        return info;
    }

    @Override
    public List<String> files() {
        return entries.stream().map(Entry::file).distinct().toList();
    }

    @Override
    public SlabReader open() {
        return (first, count, out) -> {
            int ss = channels * height * width;
            for (int s = 0; s < count; s++) decode(entries.get(Math.toIntExact(first + s)), out, s * ss);
        };
    }

    private void decode(Entry e, float[] out, int off) throws IOException {
        BufferedImage img;
        try (Opened o = Opened.of(e.file())) {
            img = o.reader.read(e.page());
        } catch (IOException | RuntimeException ex) {
            throw new IOException(e.file() + (e.page() > 0 ? " page " + e.page() : "") + ": cannot decode image: " + ex.getMessage(), ex);
        }
        int h = img.getHeight();
        int w = img.getWidth();
        float[] planes = new float[channels * h * w];
        Raster r = img.getRaster();
        boolean plainGrey = r.getNumBands() == 1 && !(img.getColorModel() instanceof IndexColorModel);
        boolean plainRgb = r.getNumBands() >= 3 && !(img.getColorModel() instanceof IndexColorModel);
        if (channels == r.getNumBands() && !(img.getColorModel() instanceof IndexColorModel)) {
            // as stored, alpha included: band c -> plane c
            for (int c = 0; c < channels; c++) for (int y = 0; y < h; y++) for (int x = 0; x < w; x++) planes[c * h * w + y * w + x] = r.getSampleFloat(x, y, c);
            place(planes, h, w, out, off);
            return;
        }
        if (channels != 1 && channels != 3) {
            throw new IOException(e.file() + (e.page() > 0 ? " page " + e.page() : "") + ": image has " + r.getNumBands() + " channels but the first image has "
                    + channels + "; set channels to 1 or 3 to convert them all");
        }
        for (int y = 0; y < h; y++) {
            for (int x = 0; x < w; x++) {
                float cr;
                float cg;
                float cb;
                if (plainGrey) {
                    cr = cg = cb = r.getSample(x, y, 0);
                } else if (plainRgb) {
                    cr = r.getSample(x, y, 0);
                    cg = r.getSample(x, y, 1);
                    cb = r.getSample(x, y, 2);
                } else {
                    int argb = img.getRGB(x, y);
                    cr = (argb >> 16) & 0xFF;
                    cg = (argb >> 8) & 0xFF;
                    cb = argb & 0xFF;
                }
                int p = y * w + x;
                if (channels == 1) {
                    planes[p] = cr == cg && cg == cb ? cr : 0.299f * cr + 0.587f * cg + 0.114f * cb;
                } else {
                    planes[p] = cr;
                    planes[h * w + p] = cg;
                    planes[2 * h * w + p] = cb;
                }
            }
        }
        place(planes, h, w, out, off);
    }

    /** Copies a decoded image's planes to the sample, resizing when its size differs. */
    private void place(float[] planes, int h, int w, float[] out, int off) {
        if (h == height && w == width) {
            System.arraycopy(planes, 0, out, off, planes.length);
        } else {
            for (int c = 0; c < channels; c++) Resample.area(planes, c * h * w, h, w, out, off + c * height * width, height, width);
        }
    }

    /** An ImageReader on a file, closed with its stream. */
    private record Opened(ImageInputStream in, ImageReader reader) implements AutoCloseable {
        static Opened of(String file) throws IOException {
            ImageInputStream in = ImageIO.createImageInputStream(Path.of(file).toFile());
            if (in == null) throw new IOException(file + ": cannot open");
            Iterator<ImageReader> it = ImageIO.getImageReaders(in);
            if (!it.hasNext()) {
                in.close();
                throw new IOException(file + ": no Java ImageIO reader recognises this image");
            }
            ImageReader r = it.next();
            r.setInput(in, false, true);
            return new Opened(in, r);
        }

        @Override
        public void close() throws IOException {
            reader.dispose();
            in.close();
        }
    }
}
