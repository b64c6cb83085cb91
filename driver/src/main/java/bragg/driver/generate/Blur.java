package bragg.driver.generate;

/** Separable Gaussian blur of a plane [h, w] in place (detector point-spread function). */
final class Blur {
    private Blur() {
    }

    static void gaussian(float[] img, int h, int w, double sigma, float[] tmp) {
        if (sigma <= 0) return;
        int r = (int) Math.ceil(2.5 * sigma);
        float[] k = new float[2 * r + 1];
        double s = 0;
        for (int i = -r; i <= r; i++) s += k[i + r] = (float) Math.exp(-i * i / (2 * sigma * sigma));
        for (int i = 0; i < k.length; i++) k[i] /= (float) s;
        for (int y = 0; y < h; y++) {
            for (int x = 0; x < w; x++) {
                float acc = 0;
                for (int i = -r; i <= r; i++) {
                    int xx = Math.min(w - 1, Math.max(0, x + i));
                    acc += k[i + r] * img[y * w + xx];
                }
                tmp[y * w + x] = acc;
            }
        }
        for (int y = 0; y < h; y++) {
            for (int x = 0; x < w; x++) {
                float acc = 0;
                for (int i = -r; i <= r; i++) {
                    int yy = Math.min(h - 1, Math.max(0, y + i));
                    acc += k[i + r] * tmp[yy * w + x];
                }
                img[y * w + x] = acc;
            }
        }
    }
}
