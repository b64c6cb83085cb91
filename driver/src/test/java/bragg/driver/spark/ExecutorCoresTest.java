package bragg.driver.spark;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

import org.apache.spark.SparkConf;
import org.junit.jupiter.api.Test;

class ExecutorCoresTest {
    private static final int MACHINE = Runtime.getRuntime().availableProcessors();

    @Test
    void theExecutorsGrantNotTheMachinesCores() {
        assertEquals(1, ExecutorCores.of(new SparkConf(false).set("spark.master", "spark://h:7077").set("spark.executor.cores", "1")));
        assertEquals(3, ExecutorCores.of(new SparkConf(false).set("spark.master", "local[8]").set("spark.executor.cores", "3")));
        assertEquals(2, ExecutorCores.of(new SparkConf(false).set("spark.master", "local[2]")));
        assertEquals(4, ExecutorCores.of(new SparkConf(false).set("spark.master", "local[4, 3]")));
        assertEquals(1, ExecutorCores.of(new SparkConf(false).set("spark.master", "local")));
        assertEquals(MACHINE, ExecutorCores.of(new SparkConf(false).set("spark.master", "local[*]")));
        assertEquals(MACHINE, ExecutorCores.of(new SparkConf(false).set("spark.master", "spark://h:7077")),
                "standalone without spark.executor.cores: the Worker's cores");
        assertNull(ExecutorCores.localCores("yarn"));
    }
}
