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
 * counts both ways and fails otherwise) and a rate comes back, one way and duplex. One way, each
 * end's CPU per GB comes back too: positive, and no more than the stream's wall time allows (a
 * thread cannot run longer than the stream lasted), so the one-core ring bound is finite.
 */
class ExecutorLoopbackTest {
    @Test
    void aStreamBetweenTheTwoBarrierTasksCarriesEveryByteBothWays() {
        SparkSession spark = SparkSessions.getOrCreate("executor-loopback-test", Map.of("spark.master", "local[2]", "spark.ui.enabled", "false"));
        try {
            JavaSparkContext jsc = JavaSparkContext.fromSparkContext(spark.sparkContext());
            LoopbackPeer.Result one = ExecutorLoopback.measure(jsc, 24L << 20, false);
            double duplex = ExecutorLoopback.measure(jsc, 24L << 20, true).gbps;
            assertTrue(one.gbps > 0 && Double.isFinite(one.gbps), "one way: " + one.gbps + " GB/s");
            assertTrue(duplex > 0 && Double.isFinite(duplex), "duplex: " + duplex + " GB/s");
            // CPU s/GB x GB/s = the share of the stream's wall time the thread ran: in (0, 1]
            double sendShare = one.sendCpuSPerGb * one.gbps;
            double recvShare = one.recvCpuSPerGb * one.gbps;
            assertTrue(sendShare > 0 && sendShare <= 1.01, "sender ran " + sendShare + " of the stream's time");
            assertTrue(recvShare > 0 && recvShare <= 1.01, "receiver ran " + recvShare + " of the stream's time");
            assertTrue(one.oneCoreRingBound() >= 1 / 2.02, "bound " + one.oneCoreRingBound());
        } finally {
            spark.stop();
        }
    }
}
