package bragg.driver.shards;

/**
 * One Parquet row of {@link ShardSchema} as {@link ShardWriteSupport} reads it: a view into
 * arrays the caller owns, refilled row after row (no copy per row).
 * <pre>
 *   pos     pos[posOff .. posOff + posLen)
 *   target  target[targetOff .. targetOff + targetLen)
 *   pattern pattern[0 .. patternLen)   encoded bytes (see PatternCodec)
 * </pre>
 */
public final class ShardRow {
    public long id;
    public int[] pos;
    public int posOff;
    public int posLen;
    public int label;
    public float[] target;
    public int targetOff;
    public int targetLen;
    public byte[] pattern;
    public int patternLen;
}
