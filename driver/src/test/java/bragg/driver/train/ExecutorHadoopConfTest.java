package bragg.driver.train;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;

import bragg.worker.train.CheckpointStore;
import java.nio.file.Path;
import org.apache.hadoop.conf.Configuration;
import org.apache.spark.SparkConf;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The executors' checkpoint store opens its file system with Spark's Hadoop conf, spark.hadoop.* included. */
class ExecutorHadoopConfTest {
    @TempDir
    Path tmp;

    @Test
    void sparkHadoopSettingsReachTheCheckpointStore() throws Exception {
        SparkConf spark = new SparkConf(false).set("spark.hadoop.fs.s3a.access.key", "AKIA-TEST")
                .set("spark.hadoop.dfs.nameservices", "bragg-ha");
        Configuration conf = ReplicaTask.hadoopConfiguration(spark);
        assertEquals("AKIA-TEST", conf.get("fs.s3a.access.key"));
        CheckpointStore.useHadoopConfiguration(conf);
        try {
            CheckpointStore store = new CheckpointStore(tmp.toString());
            assertSame(conf, store.configuration());
            assertEquals("bragg-ha", store.configuration().get("dfs.nameservices"));
        } finally {
            CheckpointStore.useHadoopConfiguration(null);
        }
    }
}
