package bragg.jobs.config;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import bragg.driver.io.DType;
import bragg.driver.preprocess.PreprocessOptions;
import java.util.List;
import org.junit.jupiter.api.Test;

class ConfigMappingTest {

    @Test
    void preprocessKeysReachPreprocessOptions() {
        BraggConfig c = BraggConfig.load(null, List.of("bragg.data.input=/data/scan.raw", "bragg.data.shards=/tmp/s",
                "bragg.data.shape=[4,4,64,64]", "bragg.data.dtype=u16", "bragg.data.byte-order=big",
                "bragg.data.scan=[4,4]", "bragg.preprocess.crop=[0,0,32,32]", "bragg.preprocess.bin=2",
                "bragg.preprocess.dtype=float16", "bragg.data.kind=4dstem"));
        PreprocessOptions p = ConfigMapping.preprocess(c);
        assertEquals("/data/scan.raw", p.input());
        assertEquals("/tmp/s", p.output());
        assertEquals("4dstem", p.kind());
        assertArrayEquals(new long[] {4, 4, 64, 64}, p.open().shape());
        assertEquals(DType.U16, p.open().dtype());
        assertEquals("big", p.open().byteOrder());
        assertArrayEquals(new long[] {4, 4}, p.open().scan());
        assertArrayEquals(new int[] {0, 0, 32, 32}, p.crop());
        assertEquals(2, p.bin());
        assertEquals("log", p.scale());
        assertEquals("float16", p.dtype());
        assertNull(p.labels());
    }

    @Test
    void preprocessWithoutInputSaysWhichKey() {
        String msg = assertThrows(IllegalArgumentException.class,
                () -> ConfigMapping.preprocess(BraggConfig.defaults())).getMessage();
        assertTrue(msg.contains("bragg.data.input"), msg);
    }

    /** One validation, by the key: what a key accepts the training record takes as it is. */
    @Test
    void everyValueTheTrainKeysAcceptReachesTheTrainingConfig() {
        BraggConfig c = BraggConfig.load(null, List.of("bragg.train.beta1=0.9999995", "bragg.train.beta2=0.9999999999",
                "bragg.train.epsilon=0.5", "bragg.train.weight-decay=1", "bragg.train.clip-norm=0"));
        bragg.worker.train.TrainConfig t = ConfigMapping.train(c, "/tmp/ck");
        assertEquals(0.9999995, t.beta1());
        assertEquals(0.9999999999, t.beta2());
        assertEquals(0.5, t.epsilon());
    }

    @Test
    void theBucketKeysReachTheGradientSchedule() {
        assertEquals(bragg.worker.train.BucketSchedule.DEFAULT, ConfigMapping.train(BraggConfig.defaults(), "/tmp/ck").buckets(),
                "the keys' defaults are the schedule's");
        bragg.worker.train.TrainConfig t = ConfigMapping.train(
                BraggConfig.load(null, List.of("bragg.train.bucket-mb=0.25", "bragg.train.overlap=false")), "/tmp/ck");
        assertEquals(new bragg.worker.train.BucketSchedule(65_536, false), t.buckets());
        assertEquals(0, ConfigMapping.train(BraggConfig.load(null, List.of("bragg.train.bucket-mb=0")), "/tmp/ck")
                .buckets().bucketFloats(), "0: one all-reduce");
    }

    @Test
    void aBadTrainValueNamesTheRealKey() {
        for (String bad : List.of("bragg.train.clip-norm=-1", "bragg.train.beta1=1", "bragg.train.epsilon=0",
                "bragg.train.bucket-mb=-1", "bragg.train.bucket-mb=0.0001", "bragg.train.bucket-mb=4096",
                "bragg.train.overlap=maybe")) {
            String key = bad.substring(0, bad.indexOf('='));
            String msg = assertThrows(IllegalArgumentException.class,
                    () -> ConfigMapping.train(BraggConfig.load(null, List.of(bad)), "/tmp/ck")).getMessage();
            assertTrue(msg.contains(key), bad + ": " + msg);
        }
        String steps = assertThrows(IllegalArgumentException.class, () -> ConfigMapping.train(
                BraggConfig.load(null, List.of("bragg.train.batch-size=64")), "/tmp/ck").stepsPerEpoch(10)).getMessage();
        assertTrue(steps.contains("bragg.train.batch-size 64"), steps);
    }
}
