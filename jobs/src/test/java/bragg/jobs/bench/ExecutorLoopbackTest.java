package bragg.jobs.bench;

import static org.junit.jupiter.api.Assertions.assertTrue;

import bragg.driver.spark.SparkSessions;
import java.util.Map;
import org.apache.spark.api.java.JavaSparkContext;
import org.apache.spark.sql.SparkSession;
import org.junit.jupiter.api.Test;

/**
 * The cluster form of bench allreduce's loopback limit, on local[2]: the two barrier tasks find
 * each other through allGather, the whole stream arrives (the measurement checks the byte
 * counts both ways and fails otherwise) and a rate comes back, one way and duplex.
 */
class ExecutorLoopbackTest {
    @Test
    void aStreamBetweenTheTwoBarrierTasksCarriesEveryByteBothWays() {
        SparkSession spark = SparkSessions.getOrCreate("executor-loopback-test", Map.of("spark.master", "local[2]", "spark.ui.enabled", "false"));
        try {
            JavaSparkContext jsc = JavaSparkContext.fromSparkContext(spark.sparkContext());
            double one = ExecutorLoopback.gbps(jsc, 24L << 20, false);
            double duplex = ExecutorLoopback.gbps(jsc, 24L << 20, true);
            assertTrue(one > 0 && Double.isFinite(one), "one way: " + one + " GB/s");
            assertTrue(duplex > 0 && Double.isFinite(duplex), "duplex: " + duplex + " GB/s");
        } finally {
            spark.stop();
        }
    }
}
