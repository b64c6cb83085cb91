package bragg.driver.preprocess;

import bragg.driver.shards.PatternCodec;
import bragg.driver.shards.ShardPartWriter;
import bragg.driver.shards.ShardParts;
import bragg.driver.shards.ShardRow;
import java.io.IOException;
import java.io.Serializable;
import java.util.Iterator;
import org.apache.hadoop.conf.Configuration;

/**
 * The write pass inside one task: its partition's sample blocks, normalised with the global
 * statistics and encoded pattern by pattern (each pattern is normalised in place and copied into
 * the one reused byte buffer while it is still in cache), into the partition's own Parquet part
 * file ({@link ShardPartWriter}). Non-finite samples are left out.
 *
 * @param a, b       out = (x - a) * b, unless perPattern
 * @param dir        the shard folder being written (its temporary name)
 * @param tag        names this job's part files
 */
record WritePass(float a, float b, boolean perPattern, String dtype, String dir, String tag) implements Serializable {

    /** Writes part number part; returns it as committed, or null when the partition kept no sample. */
    ShardParts.Part write(int part, long attempt, Iterator<SampleBlock> blocks, Configuration conf) throws IOException {
        ShardPartWriter w = null;
        ShardRow row = new ShardRow();
        try {
            while (blocks.hasNext()) {
                SampleBlock s = blocks.next();
                if (row.pattern == null) row.pattern = new byte[s.patternLength * PatternCodec.bytesPerValue(dtype)];
                row.pos = s.pos;
                row.posLen = s.posDims;
                row.target = s.target;
                row.targetLen = s.targetsPer;
                for (int i = 0; i < s.n; i++) {
                    if (!s.finite[i]) continue;
                    if (w == null) w = ShardPartWriter.open(conf, dir, part, tag, attempt);
                    Normalize.apply(s.pattern, s.patternStart(i), s.patternLength, a, b, perPattern);
                    row.id = s.id[i];
                    row.posOff = i * s.posDims;
                    row.label = s.label[i];
                    row.targetOff = i * s.targetsPer;
                    row.patternLen = PatternCodec.encodeInto(s.pattern, s.patternStart(i), s.patternLength, dtype, row.pattern);
                    w.write(row);
                }
            }
            if (w == null) return null;
            ShardParts.Part p = w.commit();
            w = null;
            return p;
        } finally {
            if (w != null) w.close();
        }
    }
}
