package bragg.jobs.train;

import static org.junit.jupiter.api.Assertions.assertDoesNotThrow;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

class SlotCheckTest {

    private static String refused(String master, int taskCpus, boolean dynamic, int replicas) {
        return assertThrows(IllegalArgumentException.class, () -> SlotCheck.check(master, taskCpus, dynamic, replicas))
                .getMessage();
    }

    @Test
    void moreReplicasThanLocalSlotsFailAtOnceNamingTheKey() {
        String msg = refused("local[2]", 1, false, 3);
        assertTrue(msg.contains("bragg.train.replicas = 3") && msg.contains("local[2] has 2 task slot(s)")
                && msg.contains("spark.master = local[3]"), msg);
        msg = refused("local[4]", 2, false, 3);
        assertTrue(msg.contains("has 2 task slot(s) (spark.task.cpus = 2)") && msg.contains("local[6]"), msg);
        msg = refused("local", 1, false, 2);
        assertTrue(msg.contains("1 task slot(s)"), msg);
        assertDoesNotThrow(() -> SlotCheck.check("local[2]", 1, false, 2));
        assertDoesNotThrow(() -> SlotCheck.check("local[2, 3]", 1, false, 2), "local[N, maxFailures]");
        assertDoesNotThrow(() -> SlotCheck.check("spark://master:7077", 1, false, 64), "a cluster is Spark's to check");
    }

    @Test
    void dynamicAllocationIsRefusedNamingTheSetting() {
        String msg = refused("spark://m:7077", 1, true, 2);
        assertTrue(msg.contains("spark.dynamicAllocation.enabled=false") && msg.contains("barrier"), msg);
    }
}
