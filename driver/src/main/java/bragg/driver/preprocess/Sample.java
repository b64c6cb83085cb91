package bragg.driver.preprocess;

/**
 * One training sample before normalization: source index, position, label (-1 none), targets
 * and the transformed pattern [C, H, W]; finite = false when its raw values held NaN or Inf.
 */
record Sample(long id, int[] pos, int label, float[] target, float[] pattern, boolean finite, int clipped) {
}
