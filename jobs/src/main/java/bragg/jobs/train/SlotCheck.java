package bragg.jobs.train;

import bragg.driver.spark.ExecutorCores;
import org.apache.spark.SparkConf;

/**
 * What Spark would refuse about a barrier stage of {@code replicas} tasks, said before it is
 * submitted and in bragg's keys. Spark refuses a barrier stage under dynamic allocation, and one
 * with more tasks than the application has slots only after re-checking for minutes (40 checks,
 * 15 s apart); with a local master the slots are known up front, so that case fails at once here.
 */
final class SlotCheck {

    private SlotCheck() {
    }

    static void check(SparkConf conf, int replicas) {
        check(conf.get("spark.master", ""), conf.getInt("spark.task.cpus", 1),
                conf.getBoolean("spark.dynamicAllocation.enabled", false), replicas);
    }

    static void check(String master, int taskCpus, boolean dynamicAllocation, int replicas) {
        if (dynamicAllocation) {
            throw new IllegalArgumentException("spark.dynamicAllocation.enabled = true: Spark does not run barrier stages "
                    + "under dynamic allocation, and bragg train is one; set spark.dynamicAllocation.enabled=false and give "
                    + "the application at least bragg.train.replicas = " + replicas + " task slots");
        }
        Integer cores = ExecutorCores.localCores(master);
        if (cores == null) {
            return;   // a cluster: its executors may still be registering, Spark checks the slots itself
        }
        int slots = cores / Math.max(1, taskCpus);
        if (replicas > slots) {
            throw new IllegalArgumentException("config key bragg.train.replicas = " + replicas + ": the barrier stage runs "
                    + "every replica at once, and spark.master = " + master + " has " + slots + " task slot(s)"
                    + (taskCpus > 1 ? " (spark.task.cpus = " + taskCpus + ")" : "") + "; set bragg.train.replicas <= "
                    + slots + " or spark.master = local[" + replicas * Math.max(1, taskCpus) + "]");
        }
    }
}
