package bragg.driver.train;

import static org.junit.jupiter.api.Assertions.assertEquals;

import bragg.worker.train.BucketSchedule;
import bragg.worker.train.TrainConfig;
import org.junit.jupiter.api.Test;

class ReplicaSpecTest {

    @Test
    void theAllGatherTransportReducesTheGradientInOneCallAfterTheBackward() {
        TrainConfig cfg = TrainConfig.defaults("/tmp/ck").withBuckets(new BucketSchedule(16, true));
        assertEquals(BucketSchedule.OFF, TrainFixtures.spec(cfg, 10, "allgather").train().buckets());
        assertEquals(new BucketSchedule(16, true), TrainFixtures.spec(cfg, 10, "ring").train().buckets());
        assertEquals(new BucketSchedule(16, true), TrainFixtures.spec(cfg, 10, "hierarchical").train().buckets());
    }
}
