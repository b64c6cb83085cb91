package bragg.driver.spark;

import java.util.Map;
import org.apache.spark.SparkConf;
import org.apache.spark.sql.SparkSession;

/**
 * One way to get the SparkSession for every job. Under {@code spark-submit} the master and
 * the rest come from the submit command; under {@code bin/bragg} (no spark.master set) the
 * job runs on an embedded {@code local[N]} Spark, N = the cores of this machine.
 */
public final class SparkSessions {
    private SparkSessions() {
    }

    /**
     * @param appName shown in the Spark UI
     * @param conf    {@code spark.*} keys from the job's config; they override Spark's defaults
     *                but not what spark-submit set explicitly
     */
    public static SparkSession getOrCreate(String appName, Map<String, String> conf) {
        SparkConf sc = new SparkConf(true).setAppName(appName);
        conf.forEach((k, v) -> {
            if (!k.startsWith("spark.")) {
                throw new IllegalArgumentException("config key '" + k + "' passed to Spark does not start with 'spark.'");
            }
            sc.setIfMissing(k, v);
        });
        if (!sc.contains("spark.master")) {
            sc.setMaster("local[" + Runtime.getRuntime().availableProcessors() + "]");
            // The embedded Spark serves the UI only when asked; a laptop run needs no port.
            sc.setIfMissing("spark.ui.enabled", "false");
        }
        sc.setIfMissing("spark.serializer", "org.apache.spark.serializer.KryoSerializer");
        return SparkSession.builder().config(sc).getOrCreate();
    }
}
