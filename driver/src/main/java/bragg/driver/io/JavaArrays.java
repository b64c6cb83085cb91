package bragg.driver.io;

import java.lang.reflect.Array;

/** Flattens the nested Java arrays jhdf returns (int[][]..., float[][]..., ...) into float[]. */
final class JavaArrays {
    private JavaArrays() {
    }

    /** Copies every element of a (nested) numeric array into out from off; returns the next offset. */
    static int flatten(Object a, float[] out, int off) {
        if (a instanceof float[] f) {
            System.arraycopy(f, 0, out, off, f.length);
            return off + f.length;
        }
        if (a instanceof int[] v) { for (int x : v) out[off++] = x; return off; }
        if (a instanceof double[] v) { for (double x : v) out[off++] = (float) x; return off; }
        if (a instanceof long[] v) { for (long x : v) out[off++] = x; return off; }
        if (a instanceof short[] v) { for (short x : v) out[off++] = x; return off; }
        if (a instanceof byte[] v) { for (byte x : v) out[off++] = x; return off; }
        if (a instanceof boolean[] v) { for (boolean x : v) out[off++] = x ? 1 : 0; return off; }
        if (a instanceof Object[] v) {
            for (Object x : v) off = flatten(x, out, off);
            return off;
        }
        if (a instanceof Number n) { out[off] = n.floatValue(); return off + 1; }
        throw new IllegalArgumentException("HDF5 data of Java type " + a.getClass().getSimpleName() + " is not numeric");
    }

    /** First element of a scalar or array attribute/dataset value as a long. */
    static long firstLong(Object a) {
        Object x = a;
        while (x != null && x.getClass().isArray()) x = Array.get(x, 0);
        if (x instanceof Number n) return n.longValue();
        throw new IllegalArgumentException("value " + x + " is not a number");
    }

    /** First element of a scalar or array value as a String. */
    static String firstString(Object a) {
        Object x = a;
        while (x != null && x.getClass().isArray()) x = Array.getLength(x) == 0 ? null : Array.get(x, 0);
        return x == null ? null : x.toString();
    }
}
