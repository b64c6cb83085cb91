package bragg.driver.preprocess;

import java.io.Serializable;
import java.util.Arrays;

/**
 * The per-plane transform before normalization, in this order: optional centring on the
 * central beam, crop, bin, scale. Works on one plane [H, W] (row-major) at a time.
 * <pre>
 *   in  [H, W]      the raw plane (input pixels)
 *   c   [H, W]      centred: shifted by whole pixels so the beam's centre of mass is at (H/2, W/2), zero fill
 *   cr  [h, w]      cropped window [y, y+h) x [x, x+w)
 *   out [h/b, w/b]  sum over b x b blocks (rows/columns that do not fill a block are dropped), then scaled
 * </pre>
 */
public final class PatternTransform implements Serializable {
    private final int inH;
    private final int inW;
    private final int[] crop;     // [y, x, h, w]
    private final int bin;
    private final int scaleCode;  // 0 none, 1 log1p, 2 sqrt: decided once, not per pixel
    private final boolean center;

    public PatternTransform(int inH, int inW, int[] crop, int bin, String scale, boolean center) {
        this.inH = inH;
        this.inW = inW;
        this.crop = crop == null ? new int[]{0, 0, inH, inW} : crop.clone();
        if (this.crop[0] + this.crop[2] > inH || this.crop[1] + this.crop[3] > inW) {
            throw new IllegalArgumentException("preprocess option crop " + Arrays.toString(crop) + " reaches outside the " + inH + "x" + inW + " pattern");
        }
        if (this.crop[2] < bin || this.crop[3] < bin) {
            throw new IllegalArgumentException("preprocess option bin " + bin + " is larger than the cropped " + this.crop[2] + "x" + this.crop[3] + " pattern");
        }
        this.bin = bin;
        this.scaleCode = switch (scale) {
            case "none" -> 0;
            case "log" -> 1;
            case "sqrt" -> 2;
            default -> throw new IllegalArgumentException("preprocess option scale must be 'none', 'log' or 'sqrt', got '" + scale + "'");
        };
        this.center = center;
    }

    public int outH() {
        return crop[2] / bin;
    }

    public int outW() {
        return crop[3] / bin;
    }

    /**
     * Transforms the plane at in[inOff..] into out[outOff..] ([outH, outW]); scratch must hold
     * H*W floats when centring. Returns how many negative values were clipped to 0 before log/sqrt.
     */
    public int apply(float[] in, int inOff, float[] out, int outOff, float[] scratch) {
        float[] src = in;
        int so = inOff;
        if (center) {
            centre(in, inOff, scratch);
            src = scratch;
            so = 0;
        }
        int oh = outH();
        int ow = outW();
        int y0 = crop[0];
        int x0 = crop[1];
        int clipped = 0;
        for (int oy = 0; oy < oh; oy++) {
            for (int ox = 0; ox < ow; ox++) {
                float acc = 0;
                for (int dy = 0; dy < bin; dy++) {
                    int row = so + (y0 + oy * bin + dy) * inW + x0 + ox * bin;
                    for (int dx = 0; dx < bin; dx++) acc += src[row + dx];
                }
                if (scaleCode != 0 && acc < 0) {
                    clipped++;
                    acc = 0;
                }
                out[outOff + oy * ow + ox] = scaleCode == 1 ? log1p(acc) : scaleCode == 2 ? (float) Math.sqrt(acc) : acc;
            }
        }
        return clipped;
    }

    /**
     * log(1 + x) for x >= 0 to float precision. Math.log is a JIT intrinsic, Math.log1p is not
     * (several times slower); 1 + x in double loses nothing that float keeps once x >= 1e-3, and
     * below that three terms of the series are exact to float precision (error < x^4 / 4), which
     * keeps the many zero pixels of a diffraction pattern off the slow path.
     */
    static float log1p(float x) {
        return x < 1e-3f ? x * (1 - x * (0.5f - x / 3)) : (float) Math.log(1.0 + x);
    }

    /**
     * Centre of mass of the central beam: the pixels at or above half the plane's maximum (the
     * direct beam is the brightest feature of a diffraction pattern). Returns {y, x}.
     */
    public double[] beamCentre(float[] in, int off) {
        float max = Float.NEGATIVE_INFINITY;
        for (int i = 0; i < inH * inW; i++) max = Math.max(max, in[off + i]);
        float thr = max * 0.5f;
        double sw = 0;
        double sy = 0;
        double sx = 0;
        for (int y = 0; y < inH; y++) {
            for (int x = 0; x < inW; x++) {
                float v = in[off + y * inW + x];
                if (v >= thr && v > 0) {
                    sw += v;
                    sy += v * y;
                    sx += v * x;
                }
            }
        }
        return sw == 0 ? new double[]{(inH - 1) / 2.0, (inW - 1) / 2.0} : new double[]{sy / sw, sx / sw};
    }

    private void centre(float[] in, int off, float[] dst) {
        double[] c = beamCentre(in, off);
        int sy = (int) Math.round((inH - 1) / 2.0 - c[0]);
        int sx = (int) Math.round((inW - 1) / 2.0 - c[1]);
        Arrays.fill(dst, 0, inH * inW, 0f);
        for (int y = 0; y < inH; y++) {
            int ty = y + sy;
            if (ty < 0 || ty >= inH) continue;
            for (int x = 0; x < inW; x++) {
                int tx = x + sx;
                if (tx >= 0 && tx < inW) dst[ty * inW + tx] = in[off + y * inW + x];
            }
        }
    }
}
