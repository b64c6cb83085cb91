package bragg.driver.preprocess;

import bragg.driver.io.DType;
import bragg.kernels.RowKernels;
import java.io.Serializable;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.IntBuffer;
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
 * 16-bit integer planes without centring can skip the float copy of the raw plane:
 * {@link #applyStored} bins the stored elements in integer arithmetic, with the same result.
 */
public final class PatternTransform implements Serializable {
    private final int inH;
    final int inW;
    final int[] crop;     // [y, x, h, w]
    final int bin;
    final int scaleCode;  // 0 none, 1 log1p, 2 sqrt: decided once, not per pixel
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
                out[outOff + oy * ow + ox] = scale(acc);
            }
        }
        return clipped;
    }

    /** The scaled value of an integer bin sum (the table for log1p of most sums). */
    float scaleSum(int acc) {
        return scaleCode == 1 && acc >= 0 && acc < LOG1P_OF_INT.length ? LOG1P_OF_INT[acc] : scale(acc);
    }

    private float scale(float acc) {
        if (scaleCode == 0) return acc;
        if (scaleCode == 2) return (float) Math.sqrt(acc);
        int i = (int) acc;
        return i == acc && i < LOG1P_OF_INT.length ? LOG1P_OF_INT[i] : log1p(acc);
    }

    /**
     * Whether {@link #applyStored} can transform planes stored as t: 16-bit integers, no centring
     * (it needs the float plane), an even plane width (rows start on whole pixel pairs), and
     * bins small enough that every partial sum is an integer float holds exactly (below 2^24),
     * so integer sums equal the float sums of {@link #apply} bit for bit.
     */
    public boolean appliesStored(DType t) {
        return !center && (t == DType.U16 || t == DType.I16) && inW % 2 == 0 && (long) bin * bin * 65535 < (1L << 24);
    }

    /** Scratch arrays of {@link #applyStored}, made once per task and reused plane after plane. */
    public StoredScratch storedScratch() {
        return new StoredScratch(inW / 2);
    }

    /**
     * {@link #apply} on a plane as the file stores it: in holds [H, W] 16-bit integers in its byte
     * order from byte offset off (see {@link #appliesStored}).
     * <pre>
     *   row   [W/2]  one input row as ints, each holding two adjacent pixels (bulk copy)
     *   lo/hi [W/2]  per block row: column sums over its bin rows of each int's low/high half
     *                (unsigned, even crop and bin: lo holds the sums of both halves, hi is unused)
     * </pre>
     * One int holds two pixels, so the column sums are plain int loops over half as many
     * elements, all at the same index of separate arrays (the JIT vectorises only such loops:
     * with a row offset into one big array it cannot rule out overlap); which half is the even
     * pixel follows the byte order. Unsigned little-endian planes in whole pixel pairs (the
     * counting detectors' usual case) run in {@link VectorStoredBinning} when the JVM has the
     * Vector API; the rest run the scalar loops below, which the tests hold it to.
     * The plane's values are added to m (when not null).
     */
    public int applyStored(ByteBuffer in, int off, DType t, float[] out, int outOff, StoredScratch s, ValueMoments m) {
        if (!appliesStored(t)) throw new IllegalArgumentException("stored planes of " + t.label() + (center ? " with centring" : "") + " need apply(float[])");
        if (RowKernels.SIMD && vectorForm(in, t)) {   // the JVM has the Vector API: VectorStoredBinning
            VectorStoredBinning.apply(this, in, off, out, outOff, s, m);
            return 0;
        }
        int clipped = applyStoredScalar(in, off, t, out, outOff, s);
        if (m != null) m.add(out, outOff, outH() * outW());
        return clipped;
    }

    /** Whether {@link VectorStoredBinning} takes these planes: unsigned, little-endian, whole pixel pairs per block. */
    private boolean vectorForm(ByteBuffer in, DType t) {
        return t == DType.U16 && in.order() == ByteOrder.LITTLE_ENDIAN && crop[1] % 2 == 0 && bin % 2 == 0;
    }

    /** The scalar loops of {@link #applyStored}, whatever the JVM has (the tests compare the two). */
    int applyStoredScalar(ByteBuffer in, int off, DType t, float[] out, int outOff, StoredScratch s) {
        int oh = outH();
        int ow = outW();
        int half = inW / 2;
        int[] row = s.row;
        int[] lo = s.lo;
        int[] hi = s.hi;
        IntBuffer rows = in.position(off + 2 * crop[0] * inW).asIntBuffer();
        boolean signed = t == DType.I16;
        // little-endian: pixel 2j is the low half of int j; big-endian: the high half
        boolean evenLow = in.order() == ByteOrder.LITTLE_ENDIAN;
        int[] even = evenLow ? lo : hi;
        int[] odd = evenLow ? hi : lo;
        int x0 = crop[1];
        int j0 = x0 / 2;
        int j1 = (x0 + ow * bin + 1) / 2;
        boolean wholePairs = x0 % 2 == 0 && bin % 2 == 0;   // every block is bin/2 whole ints: no per-pixel half choice
        int hb = bin / 2;
        int clipped = 0;
        for (int oy = 0; oy < oh; oy++) {
            Arrays.fill(lo, 0);
            Arrays.fill(hi, 0);
            for (int dy = 0; dy < bin; dy++) {
                rows.get(row, 0, half);
                if (wholePairs && !signed) {
                    // both pixels of an int fall in the same block: one pair sum per int, half the work
                    for (int j = j0; j < j1; j++) lo[j] += (row[j] & 0xFFFF) + (row[j] >>> 16);
                } else if (signed) {
                    for (int j = j0; j < j1; j++) {
                        lo[j] += (row[j] << 16) >> 16;
                        hi[j] += row[j] >> 16;
                    }
                } else {
                    for (int j = j0; j < j1; j++) {
                        lo[j] += row[j] & 0xFFFF;
                        hi[j] += row[j] >>> 16;
                    }
                }
            }
            for (int ox = 0; ox < ow; ox++) {
                int acc = 0;
                if (wholePairs && !signed) {
                    for (int j = j0 + ox * hb; j < j0 + ox * hb + hb; j++) acc += lo[j];
                } else if (wholePairs) {
                    for (int j = j0 + ox * hb; j < j0 + ox * hb + hb; j++) acc += lo[j] + hi[j];
                } else {
                    for (int x = x0 + ox * bin; x < x0 + ox * bin + bin; x++) acc += ((x & 1) == 0 ? even : odd)[x >> 1];
                }
                if (scaleCode != 0 && acc < 0) {
                    clipped++;
                    acc = 0;
                }
                out[outOff + oy * ow + ox] = scaleSum(acc);
            }
        }
        return clipped;
    }

    /** See {@link #applyStored}: row, lo and hi [W/2]. */
    public static final class StoredScratch {
        final int[] row;
        final int[] lo;
        final int[] hi;

        StoredScratch(int half) {
            this.row = new int[half];
            this.lo = new int[half];
            this.hi = new int[half];
        }
    }

    /** log1p of the integers 0..65535 (the bin sums of counting detectors are mostly small integers). */
    static final float[] LOG1P_OF_INT = new float[1 << 16];

    static {
        for (int i = 0; i < LOG1P_OF_INT.length; i++) LOG1P_OF_INT[i] = log1p(i);
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
