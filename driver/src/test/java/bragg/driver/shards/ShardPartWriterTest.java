package bragg.driver.shards;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import bragg.driver.spark.SparkSessions;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.apache.hadoop.conf.Configuration;
import org.apache.parquet.hadoop.ParquetFileReader;
import org.apache.parquet.hadoop.util.HadoopInputFile;
import org.apache.parquet.schema.MessageType;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.SparkSession;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Part files written without Spark SQL read back exactly like a DataFrame write of the same rows. */
class ShardPartWriterTest {
    static SparkSession spark;
    @TempDir
    static Path dir;

    @BeforeAll
    static void start() {
        spark = SparkSessions.getOrCreate("shard-part-writer-test", Map.of("spark.master", "local[2]", "spark.ui.enabled", "false"));
    }

    @AfterAll
    static void stop() {
        spark.stop();
    }

    /** Row i: id 10 + i, pos [i, 2i], label i % 3 - 1, targets (i, -i) on odd rows, none on even, pattern of 5 floats. */
    private static float[] pattern(int i) {
        return new float[]{i, -i, 0.5f * i, Float.MIN_VALUE, 1e30f};
    }

    private static List<Row> rows(int n) {
        List<Row> out = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            List<Float> t = i % 2 == 1 ? List.of((float) i, (float) -i) : List.of();
            out.add(RowFactory.create(10L + i, List.of(i, 2 * i), i % 3 - 1, t, PatternCodec.encode(pattern(i), 0, 5, "float32")));
        }
        return out;
    }

    private static ShardParts.Part writeOwn(Path folder, int n) throws IOException {
        Files.createDirectories(folder);
        int[] pos = new int[2 * n];
        float[] targets = new float[2 * n];
        ShardRow r = new ShardRow();
        r.pos = pos;
        r.target = targets;
        r.pattern = new byte[20];
        try (ShardPartWriter w = ShardPartWriter.open(new Configuration(), folder.toString(), 7, "test", 0)) {
            for (int i = 0; i < n; i++) {
                pos[2 * i] = i;
                pos[2 * i + 1] = 2 * i;
                targets[2 * i] = i;
                targets[2 * i + 1] = -i;
                r.id = 10L + i;
                r.posOff = 2 * i;
                r.posLen = 2;
                r.label = i % 3 - 1;
                r.targetOff = 2 * i;
                r.targetLen = i % 2 == 1 ? 2 : 0;
                r.patternLen = PatternCodec.encodeInto(pattern(i), 0, 5, "float32", r.pattern);
                w.write(r);
            }
            return w.commit();
        }
    }

    private static List<Path> files(Path folder) throws IOException {
        try (Stream<Path> s = Files.list(folder)) {
            return s.sorted().toList();
        }
    }

    private static MessageType footerSchema(Path file) throws IOException {
        try (ParquetFileReader r = ParquetFileReader.open(HadoopInputFile.fromPath(new org.apache.hadoop.fs.Path(file.toUri()), new Configuration()))) {
            return r.getFooter().getFileMetaData().getSchema();
        }
    }

    @Test
    void partFileMatchesSparksOwnWriteOfTheSameRows() throws Exception {
        Path own = dir.resolve("own");
        ShardParts.Part p = writeOwn(own, 9);
        assertEquals(List.of(own.resolve("part-00007-test.snappy.parquet")), files(own), "only the committed part: no in-progress or .crc file");
        assertEquals(9, p.rows());
        assertEquals(Files.size(own.resolve(p.file())), p.bytes());

        Path viaSpark = dir.resolve("spark");
        spark.createDataFrame(rows(9), ShardSchema.SCHEMA).coalesce(1).write().parquet(viaSpark.toString());
        Path sparkPart = files(viaSpark).stream().filter(f -> f.getFileName().toString().endsWith(".parquet")).findFirst().orElseThrow();
        assertEquals(footerSchema(sparkPart), footerSchema(own.resolve(p.file())));
        assertEquals(ShardSchema.PARQUET, footerSchema(own.resolve(p.file())));

        Dataset<Row> a = spark.read().parquet(own.toString());
        Dataset<Row> b = spark.read().parquet(viaSpark.toString());
        assertEquals(b.schema(), a.schema());
        List<Row> ra = a.orderBy("id").collectAsList();
        List<Row> rb = b.orderBy("id").collectAsList();
        assertEquals(9, ra.size());
        for (int i = 0; i < 9; i++) {
            assertEquals(rb.get(i).getLong(0), ra.get(i).getLong(0));
            assertEquals(rb.get(i).getList(1), ra.get(i).getList(1));
            assertEquals(rb.get(i).getInt(2), ra.get(i).getInt(2));
            assertEquals(rb.get(i).getList(3), ra.get(i).getList(3), "row " + i + " targets");
            assertArrayEquals(pattern(i), PatternCodec.decode((byte[]) ra.get(i).get(4), "float32"));
        }
    }

    @Test
    void abandonedOrFailedPartLeavesNothing() throws Exception {
        Path folder = dir.resolve("abandoned");
        Files.createDirectories(folder);
        ShardRow r = new ShardRow();
        r.pos = new int[0];
        r.target = new float[0];
        r.pattern = new byte[4];
        r.patternLen = 4;
        try (ShardPartWriter w = ShardPartWriter.open(new Configuration(), folder.toString(), 0, "t", 3)) {
            w.write(r);
            assertEquals(1, files(folder).size(), "the in-progress file exists while the task writes");
        }
        assertEquals(List.of(), files(folder), "closed without commit: the in-progress file is removed");

        ShardRow bad = new ShardRow();    // one position but no array to hold it: the write support fails inside the writer
        bad.posLen = 1;
        assertThrows(NullPointerException.class, () -> {
            try (ShardPartWriter w = ShardPartWriter.open(new Configuration(), folder.toString(), 1, "t", 4)) {
                w.write(bad);
                w.commit();
            }
        });
        assertEquals(List.of(), files(folder), "a failed task leaves no file behind");
    }
}
