package bragg.driver.preprocess;

import bragg.driver.io.ArrayInfo;
import bragg.driver.io.SampleSource;
import bragg.driver.io.Slab;
import bragg.driver.io.SlabReader;
import java.io.IOException;
import java.util.Map;

/**
 * lpbf: slab = layers [a, b); the task also reads the K layers below a; for every layer k >= K
 * and every tile (ty, tx): [K+1, tile, tile] = layers k, k-1, ..., k-K; pos [k, ty, tx]
 * (tile 0: the whole layer is one sample, pos [k, 0, 0]). Labels per layer, per tile, or from
 * per-class pixel masks.
 */
final class TileLayout implements SampleLayout {
    final SampleSource source;
    final PatternTransform transform;
    final int layersBelow;          // K
    final int tile;                 // output pixels, 0 = whole layer
    final int[] labels;             // per layer or per tile; null = none
    final boolean labelsPerTile;
    final SampleSource[] masks;     // Peregrine per-class pixel masks [layers, H, W], or empty
    final int[] maskCrop;           // [y, x, h, w] of the crop, to map tiles back to input pixels
    final int bin;

    TileLayout(SampleSource source, PatternTransform transform, int layersBelow, int tile, int[] labels, boolean labelsPerTile,
               SampleSource[] masks, int[] maskCrop, int bin) {
        this.source = source;
        this.transform = transform;
        this.layersBelow = layersBelow;
        this.tile = tile;
        this.labels = labels;
        this.labelsPerTile = labelsPerTile;
        this.masks = masks;
        this.maskCrop = maskCrop;
        this.bin = bin;
    }

    @Override
    public String kind() {
        return "lpbf";
    }

    @Override
    public SampleSource source() {
        return source;
    }

    @Override
    public SampleSource[] masks() {
        return masks;
    }

    @Override
    public int[] sampleShape() {
        if (tile == 0) return new int[]{Channels.of(source) * (layersBelow + 1), transform.outH(), transform.outW()};
        return new int[]{layersBelow + 1, tile, tile};
    }

    @Override
    public long[] positionsShape() {
        return new long[]{source.info().sampleCount(), tilesY(), tilesX()};
    }

    /** Each layer is read again for the K layers above it: caching would not pay. */
    @Override
    public boolean cacheTransformed() {
        return false;
    }

    /** 8 Mi elements: each slab also reads the K layers below its first, so slabs of many layers. */
    @Override
    public long slabElements() {
        return 8L << 20;
    }

    @Override
    public void describe(Map<String, Object> t) {
        t.put("tile", tile);
        t.put("layers_below", layersBelow);
        t.put("first_layer", layersBelow);
    }

    @Override
    public String sampleNoun() {
        return "layer stack sample";
    }

    int tilesY() {
        return tile == 0 ? 1 : transform.outH() / tile;
    }

    int tilesX() {
        return tile == 0 ? 1 : transform.outW() / tile;
    }

    @Override
    public SampleBlock process(Slab slab, SlabReader in, SlabReader[] maskIn) throws IOException {
        ArrayInfo info = source.info();
        int ss = info.sampleSize();
        int c = Channels.of(source);
        int plane = ss / c;
        long firstKept = Math.max(slab.first(), layersBelow);
        long end = slab.first() + slab.count();
        int tY = tilesY();
        int tX = tilesX();
        int[] shape = sampleShape();
        int patternLength = shape[0] * shape[1] * shape[2];
        SampleBlock out = new SampleBlock((int) Math.max(0, end - firstKept) * tY * tX, 3, 0, patternLength);
        if (firstKept >= end) return out;
        long readFrom = firstKept - layersBelow;
        int n = (int) (end - readFrom);
        float[] raw = new float[n * ss];
        in.read(readFrom, n, raw);
        int oh = transform.outH();
        int ow = transform.outW();
        int oPlane = oh * ow;
        float[] img = new float[n * c * oPlane];        // [n, C, oh, ow] transformed layers
        boolean[] finite = new boolean[n];
        int[] clipped = new int[n];
        for (int l = 0; l < n; l++) {
            finite[l] = !info.dtype().isFloat() || PreprocessStats.finite(raw, l * ss, ss);
            if (finite[l]) for (int ch = 0; ch < c; ch++) clipped[l] += transform.apply(raw, l * ss + ch * plane, img, (l * c + ch) * oPlane, null);
        }
        int[][] maskLabels = maskIn.length == 0 ? null : maskLabels(firstKept, (int) (end - firstKept), maskIn);
        int i = 0;
        for (long k = firstKept; k < end; k++) {
            int top = (int) (k - readFrom);
            boolean ok = true;
            for (int j = 0; j <= layersBelow; j++) ok &= finite[top - j];
            for (int ty = 0; ty < tY; ty++) {
                for (int tx = 0; tx < tX; tx++) {
                    int p = out.patternStart(i);
                    for (int j = 0; j <= layersBelow; j++) {
                        int src = (top - j) * c * oPlane;
                        if (tile == 0) {
                            System.arraycopy(img, src, out.pattern, p + j * c * oPlane, c * oPlane);
                        } else {
                            for (int y = 0; y < tile; y++) {
                                System.arraycopy(img, src + (ty * tile + y) * ow + tx * tile, out.pattern, p + (j * tile + y) * tile, tile);
                            }
                        }
                    }
                    int t = ty * tX + tx;
                    long id = k * tY * tX + t;
                    int label;
                    if (maskLabels != null) label = maskLabels[(int) (k - firstKept)][t];
                    else if (labels == null) label = -1;
                    else label = labelsPerTile ? labels[(int) id] : labels[(int) k];
                    out.id[i] = id;
                    out.pos[3 * i] = (int) k;
                    out.pos[3 * i + 1] = ty;
                    out.pos[3 * i + 2] = tx;
                    out.label[i] = label;
                    out.finite[i] = ok;
                    out.clipped[i] = t == 0 ? clipped[top] : 0;
                    i++;
                }
            }
        }
        return out;
    }

    /**
     * Tile labels from per-class pixel masks: the class (index + 1) with the most mask pixels
     * inside the tile's input-pixel area, or 0 ("none") when no mask pixel falls inside.
     */
    private int[][] maskLabels(long first, int count, SlabReader[] maskIn) throws IOException {
        ArrayInfo info = source.info();
        int w = Math.toIntExact(info.shape()[info.shape().length - 1]);
        int plane = info.sampleSize() / Channels.of(source);
        int tY = tilesY();
        int tX = tilesX();
        int tilePx = (tile == 0 ? Math.max(transform.outH(), transform.outW()) : tile) * bin;
        int th = tile == 0 ? transform.outH() * bin : tilePx;
        int tw = tile == 0 ? transform.outW() * bin : tilePx;
        long[][] counts = new long[count * tY * tX][masks.length];
        float[] m = new float[count * plane];
        for (int cls = 0; cls < masks.length; cls++) {
            maskIn[cls].read(first, count, m);
            for (int l = 0; l < count; l++) {
                for (int ty = 0; ty < tY; ty++) {
                    for (int tx = 0; tx < tX; tx++) {
                        long sum = 0;
                        for (int y = 0; y < th; y++) {
                            int row = l * plane + (maskCrop[0] + ty * th + y) * w + maskCrop[1] + tx * tw;
                            for (int x = 0; x < tw; x++) if (m[row + x] != 0) sum++;
                        }
                        counts[(l * tY + ty) * tX + tx][cls] = sum;
                    }
                }
            }
        }
        int[][] out = new int[count][tY * tX];
        for (int l = 0; l < count; l++) {
            for (int t = 0; t < tY * tX; t++) {
                long[] cnt = counts[l * tY * tX + t];
                int best = 0;
                long bestN = 0;
                for (int cls = 0; cls < cnt.length; cls++) {
                    if (cnt[cls] > bestN) {
                        bestN = cnt[cls];
                        best = cls + 1;
                    }
                }
                out[l][t] = best;
            }
        }
        return out;
    }
}
