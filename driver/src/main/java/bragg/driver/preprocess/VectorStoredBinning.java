package bragg.driver.preprocess;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import jdk.incubator.vector.IntVector;
import jdk.incubator.vector.VectorOperators;
import jdk.incubator.vector.VectorSpecies;

/**
 * The Vector API form of {@link PatternTransform#applyStored} for the common case: unsigned
 * 16-bit little-endian pixels in blocks of whole pixel pairs (even crop column, even bin). It
 * loads the stored bytes in place (the scalar form first copies each row into an int[]), and
 * adds the plane's values to the moments as it writes them, while they are still in registers
 * (the statistics pass then reads no pattern again).
 * <pre>
 *   v       [L ints]  2L adjacent pixels of one input row, two per int
 *   pairs   [W/2]     per block row: column sums over its bin rows of each int's two pixels
 *   out     [w/b]     per block row: the scaled sums of bin/2 adjacent pairs
 * </pre>
 * The integer sums are those of the scalar form, so the floats are too, bit for bit; the moments
 * are the same double additions per plane, added to m once per plane.
 */
final class VectorStoredBinning {
    private static final VectorSpecies<Integer> I = IntVector.SPECIES_PREFERRED;

    private VectorStoredBinning() {
    }

    /** See {@link PatternTransform#applyStored}; t must take the pixels as unsigned whole pairs. */
    static void apply(PatternTransform t, ByteBuffer in, int off, float[] out, int outOff, PatternTransform.StoredScratch s, ValueMoments m) {
        int oh = t.outH();
        int ow = t.outW();
        int bin = t.bin;
        int hb = bin / 2;
        int rowBytes = 2 * t.inW;
        int first = off + t.crop[0] * rowBytes;
        int j0 = t.crop[1] / 2;
        int j1 = j0 + ow * hb;
        int[] pairs = s.lo;
        float[] log = t.scaleCode == 1 ? PatternTransform.LOG1P_OF_INT : null;
        double sum0 = 0;
        double sum1 = 0;
        double sq0 = 0;
        double sq1 = 0;
        int loAcc = Integer.MAX_VALUE;
        int hiAcc = Integer.MIN_VALUE;
        int jv = j0 + I.loopBound(j1 - j0);
        for (int oy = 0; oy < oh; oy++) {
            int base = first + oy * bin * rowBytes;
            // column sums of pixel pairs over the block row's bin rows
            int j = j0;
            for (; j < jv; j += I.length()) {
                IntVector acc = IntVector.zero(I);
                for (int dy = 0, at = base + 4 * j; dy < bin; dy++, at += rowBytes) {
                    IntVector v = IntVector.fromByteBuffer(I, in, at, ByteOrder.LITTLE_ENDIAN);
                    acc = acc.add(v.and(0xFFFF)).add(v.lanewise(VectorOperators.LSHR, 16));
                }
                acc.intoArray(pairs, j);
            }
            for (; j < j1; j++) {
                int acc = 0;
                for (int dy = 0, at = base + 4 * j; dy < bin; dy++, at += rowBytes) {
                    int v = in.getInt(at);
                    acc += (v & 0xFFFF) + (v >>> 16);
                }
                pairs[j] = acc;
            }
            // block sums, scale, store, and the moments: scalar (one value per bin x bin pixels;
            // measured faster here than the Vector API's gathers and float-to-double conversions).
            // Two chains of double sums (even and odd outputs) halve the wait on each addition;
            // the extremes are taken of the integer sums, as every scale is non-decreasing.
            int o = outOff + oy * ow;
            int k = 0;
            for (int q = j0; k < ow; k++) {
                int acc = 0;
                for (int e = q + hb; q < e; q++) acc += pairs[q];
                float f = log != null && acc < log.length ? log[acc] : t.scaleSum(acc);
                out[o + k] = f;
                double x = f;
                if ((k & 1) == 0) {
                    sum0 += x;
                    sq0 += x * x;
                } else {
                    sum1 += x;
                    sq1 += x * x;
                }
                loAcc = Math.min(loAcc, acc);
                hiAcc = Math.max(hiAcc, acc);
            }
        }
        if (m != null && oh * ow > 0) {
            m.add((long) oh * ow, sum0 + sum1, sq0 + sq1, t.scaleSum(loAcc), t.scaleSum(hiAcc));
        }
    }
}
