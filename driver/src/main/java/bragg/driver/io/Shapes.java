package bragg.driver.io;

import java.util.Arrays;

/** Small helpers on shapes shared by the readers. */
public final class Shapes {
    private Shapes() {
    }

    public static long product(long[] s) {
        long n = 1;
        for (long d : s) n = Math.multiplyExact(n, d);
        return n;
    }

    public static String str(long[] s) {
        return Arrays.toString(s);
    }

    /**
     * Replaces the position axes of a shape by a user-given scan shape, if any, after checking
     * that the number of positions agrees.
     */
    public static long[] withScan(String path, long[] positions, int[] sample, long[] scan) {
        long[] pos = positions;
        if (scan != null) {
            if (product(scan) != product(positions)) {
                throw new IllegalArgumentException(path + ": scan shape " + str(scan) + " has " + product(scan)
                        + " positions but the file holds " + product(positions) + " samples " + str(positions));
            }
            pos = scan;
        }
        long[] out = Arrays.copyOf(pos, pos.length + sample.length);
        for (int i = 0; i < sample.length; i++) out[pos.length + i] = sample[i];
        return out;
    }

    /** Checks a declared full shape against the one found in the header. */
    public static void checkDeclared(String path, long[] declared, long[] found) {
        if (declared != null && !Arrays.equals(declared, found)) {
            throw new IllegalArgumentException(path + ": declared shape " + str(declared) + " does not match the shape "
                    + str(found) + " in the file");
        }
    }
}
