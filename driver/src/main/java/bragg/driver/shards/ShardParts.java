package bragg.driver.shards;

import java.io.IOException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.FileStatus;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.Path;
import org.apache.parquet.HadoopReadOptions;
import org.apache.parquet.ParquetReadOptions;
import org.apache.parquet.hadoop.ParquetFileReader;
import org.apache.parquet.hadoop.util.HadoopInputFile;

/**
 * The Parquet part files of a shard folder as the manifest lists them ({@code "parts"}: name,
 * rows, bytes), and the check that the folder still holds exactly those. Spark reads whatever
 * part files a folder has, so without it a deleted part trains on fewer samples without a word
 * and a truncated one ends in a stack trace from inside a task. The check reads only the folder
 * listing and each file's Parquet footer, on the driver, before any Spark job.
 */
public final class ShardParts {
    /** Manifest key of the part list. */
    public static final String KEY = "parts";

    /** One part file: its name in the folder, its rows and its size. */
    public record Part(String file, long rows, long bytes) {
    }

    private ShardParts() {
    }

    /** The part files under {@code dir} as they are now (footers read, so a damaged file is named). */
    public static List<Part> scan(FileSystem fs, Path dir, Configuration conf) throws IOException {
        List<Part> out = new ArrayList<>();
        ParquetReadOptions options = footerOptions(conf);
        for (FileStatus s : listParquet(fs, dir).values()) {
            out.add(new Part(s.getPath().getName(), rows(s, conf, options), s.getLen()));
        }
        return out;
    }

    /** The manifest with {@code parts} listing these files. */
    public static Manifest record(Manifest m, List<Part> parts) {
        List<Map<String, Object>> list = new ArrayList<>();
        for (Part p : parts) {
            Map<String, Object> e = new LinkedHashMap<>();
            e.put("file", p.file());
            e.put("rows", p.rows());
            e.put("bytes", p.bytes());
            list.add(e);
        }
        return m.withExtra(Map.of(KEY, list));
    }

    /**
     * Checks the folder against its manifest: every listed part present with its size and row
     * count, no unlisted part, and the rows adding up to the manifest's count. A manifest from
     * before parts were recorded is checked by the total rows of the footers.
     *
     * @throws IOException naming the missing, extra or damaged file, what the manifest says and what was found
     */
    public static void verify(Configuration conf, String path, Manifest m) throws IOException {
        Path dir = new Path(path);
        FileSystem fs = dir.getFileSystem(conf);
        TreeMap<String, FileStatus> found = listParquet(fs, dir);
        ParquetReadOptions options = footerOptions(conf);
        String where = path + ": ";
        Object listed = m.extra().get(KEY);
        long total = 0;
        if (listed instanceof List<?> parts) {
            List<String> names = new ArrayList<>();
            for (Object o : parts) {
                Part p = part(o, path);
                names.add(p.file());
                FileStatus s = found.get(p.file());
                if (s == null) {
                    throw new IOException(where + "part file " + p.file() + " listed in " + Manifest.FILE + " (" + p.rows()
                            + " rows) is missing; the folder has " + found.size() + " of the " + parts.size() + " part files");
                }
                if (s.getLen() != p.bytes()) {
                    throw new IOException(where + "part file " + p.file() + " is " + s.getLen() + " bytes, " + Manifest.FILE
                            + " says " + p.bytes() + " (truncated or rewritten since preprocess)");
                }
                long r = rows(s, conf, options);
                if (r != p.rows()) {
                    throw new IOException(where + "part file " + p.file() + " holds " + r + " rows, " + Manifest.FILE
                            + " says " + p.rows());
                }
                total += r;
            }
            for (String f : found.keySet()) {
                if (!names.contains(f)) {
                    throw new IOException(where + "part file " + f + " is not listed in " + Manifest.FILE
                            + " (left from another run?); remove it or preprocess again");
                }
            }
        } else {
            for (FileStatus s : found.values()) {
                total += rows(s, conf, options);
            }
        }
        if (total != m.count()) {
            throw new IOException(where + "the part files hold " + total + " rows, " + Manifest.FILE + " says count "
                    + m.count() + " (a part file was deleted or added)");
        }
    }

    private static Part part(Object o, String path) {
        if (o instanceof Map<?, ?> e && e.get("file") instanceof String f && e.get("rows") instanceof Number r
                && e.get("bytes") instanceof Number b) {
            return new Part(f, r.longValue(), b.longValue());
        }
        throw new IllegalArgumentException(path + "/" + Manifest.FILE + ": an entry of '" + KEY
                + "' is " + o + ", expected {file, rows, bytes}");
    }

    private static TreeMap<String, FileStatus> listParquet(FileSystem fs, Path dir) throws IOException {
        TreeMap<String, FileStatus> out = new TreeMap<>();
        for (FileStatus s : fs.listStatus(dir)) {
            if (s.isFile() && s.getPath().getName().endsWith(".parquet")) {
                out.put(s.getPath().getName(), s);
            }
        }
        return out;
    }

    /**
     * The options for reading footers, made once per folder: {@code ParquetFileReader.open(file)}
     * makes a fresh Hadoop Configuration per file, which parses Hadoop's default XML again (10 ms
     * a file, 0.16 CPU-s per preprocess job of 16 parts: BENCHMARKS.md, bench preprocess).
     */
    private static ParquetReadOptions footerOptions(Configuration conf) {
        return HadoopReadOptions.builder(conf).build();
    }

    private static long rows(FileStatus s, Configuration conf, ParquetReadOptions options) throws IOException {
        try (ParquetFileReader r = ParquetFileReader.open(HadoopInputFile.fromStatus(s, conf), options)) {
            return r.getRecordCount();
        } catch (IOException | RuntimeException e) {
            throw new IOException(s.getPath() + ": not a readable Parquet file (" + e.getMessage()
                    + "); the shard folder is damaged, preprocess again", e);
        }
    }
}
