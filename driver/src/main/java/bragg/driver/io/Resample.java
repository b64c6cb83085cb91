package bragg.driver.io;

/** Resizing of one float plane (images of differing sizes brought to one size). */
final class Resample {
    private Resample() {
    }

    /**
     * Area-weighted resampling of src [h, w] (at srcOff) into dst [oh, ow] (at dstOff): each
     * output pixel is the mean of the source area it covers, so downscaling does not alias
     * and upscaling repeats pixels.
     */
    static void area(float[] src, int srcOff, int h, int w, float[] dst, int dstOff, int oh, int ow) {
        double sy = (double) h / oh;
        double sx = (double) w / ow;
        for (int oy = 0; oy < oh; oy++) {
            double y0 = oy * sy;
            double y1 = y0 + sy;
            for (int ox = 0; ox < ow; ox++) {
                double x0 = ox * sx;
                double x1 = x0 + sx;
                double acc = 0;
                double wsum = 0;
                for (int y = (int) y0; y < Math.min(h, (int) Math.ceil(y1)); y++) {
                    double wy = Math.min(y + 1, y1) - Math.max(y, y0);
                    if (wy <= 0) continue;
                    for (int x = (int) x0; x < Math.min(w, (int) Math.ceil(x1)); x++) {
                        double wx = Math.min(x + 1, x1) - Math.max(x, x0);
                        if (wx <= 0) continue;
                        acc += wy * wx * src[srcOff + y * w + x];
                        wsum += wy * wx;
                    }
                }
                dst[dstOff + oy * ow + ox] = (float) (acc / wsum);
            }
        }
    }
}
