package bragg.driver.spark;

import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.apache.spark.SparkConf;

/**
 * The cores Spark granted this JVM's executor, which its replicas' compute threads share:
 * {@code spark.executor.cores} where it is set, N of a {@code local[N]} master (the driver is
 * the executor), else the machine's processors (a standalone executor without
 * spark.executor.cores takes all its Worker's cores).
 */
public final class ExecutorCores {
    /** local, local[N], local[*], local[N, F] (F: task failures allowed). */
    public static final Pattern LOCAL = Pattern.compile("local(?:\\[(\\d+|\\*)(?:,\\s*\\d+)?])?");

    private ExecutorCores() {
    }

    /** See the class comment; conf is the executor's (SparkEnv.get().conf()). */
    public static int of(SparkConf conf) {
        int machine = Runtime.getRuntime().availableProcessors();
        if (conf.contains("spark.executor.cores")) return Math.max(1, conf.getInt("spark.executor.cores", machine));
        Integer local = localCores(conf.get("spark.master", ""));
        return local != null ? local : machine;
    }

    /** The cores of a local master, or null for any other master. */
    public static Integer localCores(String master) {
        Matcher m = LOCAL.matcher(master.trim());
        if (!m.matches()) return null;
        if (m.group(1) == null) return 1;
        return m.group(1).equals("*") ? Runtime.getRuntime().availableProcessors() : Integer.parseInt(m.group(1));
    }
}
