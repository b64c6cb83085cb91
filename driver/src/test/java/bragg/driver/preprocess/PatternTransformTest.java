package bragg.driver.preprocess;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import bragg.driver.io.DType;
import bragg.kernels.RowKernels;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

/** The stored-element path of the transform against the float path, bit for bit. */
class PatternTransformTest {
    /** A plane of random 16-bit values, stored after a 6-byte prefix (as in a framed file), and as floats. */
    private record Plane(ByteBuffer stored, float[] floats) {
    }

    private static Plane plane(int h, int w, DType t, ByteOrder order, long seed) {
        SplittableRandom r = new SplittableRandom(seed);
        ByteBuffer b = ByteBuffer.allocateDirect(6 + 2 * h * w).order(order);
        float[] f = new float[h * w];
        for (int i = 0; i < h * w; i++) {
            // mostly small counts with some large and (signed) negative values
            int v = r.nextInt(10) == 0 ? r.nextInt(65536) : r.nextInt(40);
            short s = (short) (t == DType.I16 ? v - 32768 * (r.nextInt(8) == 0 ? 1 : 0) : v);
            b.putShort(6 + 2 * i, s);
            f[i] = t == DType.I16 ? s : s & 0xFFFF;
        }
        return new Plane(b, f);
    }

    @Test
    void storedSixteenBitPlanesGiveTheFloatPathsResult() {
        int h = 22;
        int w = 18;
        int[][] crops = {null, {1, 3, 17, 13}, {2, 2, 20, 16}, {0, 1, 22, 17}};
        for (DType t : new DType[]{DType.U16, DType.I16}) {
            for (ByteOrder order : new ByteOrder[]{ByteOrder.LITTLE_ENDIAN, ByteOrder.BIG_ENDIAN}) {
                Plane p = plane(h, w, t, order, t.ordinal() * 7L + order.hashCode());
                for (int[] crop : crops) {
                    for (int bin : new int[]{1, 2, 3, 4}) {
                        for (String scale : new String[]{"none", "log", "sqrt"}) {
                            PatternTransform tf = new PatternTransform(h, w, crop, bin, scale, false);
                            assertTrue(tf.appliesStored(t));
                            int n = tf.outH() * tf.outW();
                            float[] want = new float[n + 3];
                            float[] got = new float[n + 3];
                            int wantClipped = tf.apply(p.floats(), 0, want, 3, null);
                            int gotClipped = tf.applyStored(p.stored(), 6, t, got, 3, tf.storedScratch(), null);
                            String what = t + " " + order + " crop " + java.util.Arrays.toString(crop) + " bin " + bin + " " + scale;
                            assertEquals(wantClipped, gotClipped, what);
                            for (int i = 0; i < got.length; i++) {
                                assertEquals(Float.floatToRawIntBits(want[i]), Float.floatToRawIntBits(got[i]), what + " pixel " + i);
                            }
                        }
                    }
                }
            }
        }
    }

    /**
     * Unsigned little-endian planes wide enough for whole vectors, with tails (widths that are not a
     * multiple of the lane count), crops, bins of 1-4 pixel pairs and sums past the log1p table:
     * applyStored (the Vector API form where the JVM has it) gives the scalar loops' floats bit for
     * bit, and the moments of exactly those floats.
     */
    @Test
    void vectorFormMatchesTheScalarLoopsAndGathersTheMoments() {
        assertTrue(RowKernels.SIMD, "the root pom's argLine adds jdk.incubator.vector, so the vector form is the one tested");
        int[][] shapes = {{64, 256}, {20, 130}, {18, 66}};
        for (int[] hw : shapes) {
            int h = hw[0];
            int w = hw[1];
            Plane p = plane(h, w, DType.U16, ByteOrder.LITTLE_ENDIAN, h * 31L + w);
            int[][] crops = {null, {2, 4, h - 4, w - 10}, {1, 2, h - 1, w - 2}};
            for (int[] crop : crops) {
                for (int bin : new int[]{2, 4, 6, 8}) {
                    for (String scale : new String[]{"none", "log", "sqrt"}) {
                        PatternTransform tf = new PatternTransform(h, w, crop, bin, scale, false);
                        int n = tf.outH() * tf.outW();
                        float[] want = new float[n + 3];
                        float[] got = new float[n + 3];
                        tf.applyStoredScalar(p.stored(), 6, DType.U16, want, 3, tf.storedScratch());
                        ValueMoments m = new ValueMoments();
                        tf.applyStored(p.stored(), 6, DType.U16, got, 3, tf.storedScratch(), m);
                        String what = h + "x" + w + " crop " + java.util.Arrays.toString(crop) + " bin " + bin + " " + scale;
                        for (int i = 0; i < got.length; i++) {
                            assertEquals(Float.floatToRawIntBits(want[i]), Float.floatToRawIntBits(got[i]), what + " pixel " + i);
                        }
                        ValueMoments ref = new ValueMoments();
                        ref.add(want, 3, n);
                        assertEquals(ref.count, m.count, what);
                        assertEquals(ref.min, m.min, what);
                        assertEquals(ref.max, m.max, what);
                        assertEquals(ref.sum, m.sum, 1e-12 * Math.abs(ref.sum), what);
                        assertEquals(ref.sumSq, m.sumSq, 1e-12 * ref.sumSq, what);
                    }
                }
            }
        }
    }

    @Test
    void storedPathOnlyWhereIntegerSumsAreExact() {
        assertTrue(new PatternTransform(8, 8, null, 2, "log", false).appliesStored(DType.U16));
        assertFalse(new PatternTransform(8, 8, null, 2, "log", true).appliesStored(DType.U16), "centring needs the float plane");
        assertFalse(new PatternTransform(8, 8, null, 2, "log", false).appliesStored(DType.F32));
        assertFalse(new PatternTransform(8, 8, null, 2, "log", false).appliesStored(DType.U8));
        assertFalse(new PatternTransform(8, 9, null, 2, "log", false).appliesStored(DType.U16), "odd rows do not start on a pixel pair");
        assertTrue(new PatternTransform(32, 32, null, 16, "log", false).appliesStored(DType.U16));
        assertFalse(new PatternTransform(34, 34, null, 17, "log", false).appliesStored(DType.U16), "17x17 sums of u16 can pass 2^24");
        PatternTransform centred = new PatternTransform(8, 8, null, 2, "log", true);
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> centred.applyStored(ByteBuffer.allocate(128), 0, DType.U16, new float[16], 0, centred.storedScratch(), null));
        assertEquals("stored planes of u16 with centring need apply(float[])", e.getMessage());
    }

    @Test
    void log1pOfIntegersFromTheTableMatchesTheFormula() {
        PatternTransform tf = new PatternTransform(1, 2, null, 1, "log", false);
        for (int v : new int[]{0, 1, 2, 1000, 65535, 65536, 70000}) {
            float[] out = new float[2];
            tf.apply(new float[]{v, v + 0.5f}, 0, out, 0, null);
            assertEquals(Float.floatToRawIntBits(PatternTransform.log1p(v)), Float.floatToRawIntBits(out[0]), "log1p(" + v + ")");
            assertEquals(Float.floatToRawIntBits(PatternTransform.log1p(v + 0.5f)), Float.floatToRawIntBits(out[1]), "log1p(" + v + ".5)");
        }
    }
}
