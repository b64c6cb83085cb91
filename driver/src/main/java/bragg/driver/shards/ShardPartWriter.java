package bragg.driver.shards;

import java.io.Closeable;
import java.io.IOException;
import java.util.Locale;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.LocalFileSystem;
import org.apache.hadoop.fs.Path;
import org.apache.parquet.hadoop.ParquetFileWriter;
import org.apache.parquet.hadoop.ParquetWriter;
import org.apache.parquet.hadoop.api.WriteSupport;
import org.apache.parquet.hadoop.metadata.CompressionCodecName;
import org.apache.parquet.hadoop.util.HadoopOutputFile;
import org.apache.parquet.io.LocalOutputFile;
import org.apache.parquet.io.OutputFile;

/**
 * One Parquet part file of a shard folder, written by one task with parquet-hadoop directly
 * (no DataFrame): rows go to a hidden in-progress file that {@link #commit} renames to the part's
 * name once the footer is written, so Spark and {@link ShardParts} only ever see whole files; a
 * task that fails (or is closed without commit) removes its in-progress file.
 * <pre>
 *   in progress  dir/.part-00003-TAG.snappy.parquet.ATTEMPT.inprogress   (ignored: leading '.')
 *   committed    dir/part-00003-TAG.snappy.parquet
 * </pre>
 * Settings as Spark's writer uses them (snappy, 128 MB row groups, 1 MB pages), except no
 * dictionary and no min/max statistics for the pattern bytes and ids: every value differs, so a
 * dictionary is built only to be dropped, and min/max of pattern bytes serve no query.
 */
public final class ShardPartWriter implements Closeable {
    private final FileSystem fs;
    private final Path inProgress;
    private final Path target;
    private final ParquetWriter<ShardRow> writer;
    private long rows;
    private boolean closed;

    private ShardPartWriter(FileSystem fs, Path inProgress, Path target, ParquetWriter<ShardRow> writer) {
        this.fs = fs;
        this.inProgress = inProgress;
        this.target = target;
        this.writer = writer;
    }

    /** Opens part number {@code part} of folder {@code dir}; tag names the job, attempt the task attempt. */
    public static ShardPartWriter open(Configuration conf, String dir, int part, String tag, long attempt) throws IOException {
        String name = String.format(Locale.ROOT, "part-%05d-%s.snappy.parquet", part, tag);
        Path target = new Path(dir, name);
        Path inProgress = new Path(dir, "." + name + "." + attempt + ".inprogress");
        FileSystem fs = target.getFileSystem(conf);
        // A local folder is written with java.nio: Hadoop's local file system would start a chmod
        // process per file (without its native library) and checksum every 512 bytes into a .crc
        // file that nothing here reads.
        OutputFile file = fs instanceof LocalFileSystem local ? new LocalOutputFile(local.pathToFile(inProgress).toPath())
                : HadoopOutputFile.fromPath(inProgress, conf);
        ParquetWriter<ShardRow> w = new Builder(file).withConf(conf)
                .withWriteMode(ParquetFileWriter.Mode.CREATE)
                .withCompressionCodec(CompressionCodecName.SNAPPY)
                .withDictionaryEncoding("pattern", false).withDictionaryEncoding("id", false)
                .withStatisticsEnabled("pattern", false)
                .build();
        return new ShardPartWriter(fs, inProgress, target, w);
    }

    public void write(ShardRow r) throws IOException {
        writer.write(r);
        rows++;
    }

    /** Finishes the file and renames it to its part name; returns it as the manifest lists it. */
    public ShardParts.Part commit() throws IOException {
        closed = true;
        try {
            writer.close();
            if (!fs.rename(inProgress, target)) throw new IOException("could not rename " + inProgress + " to " + target);
        } catch (IOException | RuntimeException e) {
            fs.delete(inProgress, false);
            throw e;
        }
        return new ShardParts.Part(target.getName(), rows, fs.getFileStatus(target).getLen());
    }

    /** Without {@link #commit}: abandons the file and removes what was written of it. */
    @Override
    public void close() throws IOException {
        if (closed) return;
        closed = true;
        try {
            writer.close();
        } finally {
            fs.delete(inProgress, false);
        }
    }

    private static final class Builder extends ParquetWriter.Builder<ShardRow, Builder> {
        Builder(OutputFile file) {
            super(file);
        }

        @Override
        protected Builder self() {
            return this;
        }

        @Override
        protected WriteSupport<ShardRow> getWriteSupport(Configuration conf) {
            return new ShardWriteSupport();
        }
    }
}
