package bragg.driver.train;

import java.util.ArrayList;
import java.util.List;
import org.apache.spark.ExceptionFailure;
import org.apache.spark.TaskEndReason;
import org.apache.spark.scheduler.SparkListener;
import org.apache.spark.scheduler.SparkListenerTaskEnd;

/**
 * Why the tasks of a barrier stage failed. When a barrier stage aborts, Spark's job error says only
 * that "barrier task ResultTask(s, p) finished unsuccessfully"; the replica's own exception (the
 * dead peer, the bad sample, the injected fault) arrives in the task-end event, so this listener
 * keeps it for the driver's message.
 */
final class TaskFailures extends SparkListener {
    private final List<String> reasons = new ArrayList<>();

    @Override
    public synchronized void onTaskEnd(SparkListenerTaskEnd end) {
        TaskEndReason r = end.reason();
        // Only exceptions thrown by a replica: the others of the stage are then killed (TaskKilled).
        if (r instanceof ExceptionFailure f) {
            reasons.add("task " + end.taskInfo().index() + ": " + f.className() + ": " + f.description());
        }
    }

    /** The first failure, where the cause usually is; the later ones are mostly its echoes. */
    synchronized String first() {
        return reasons.isEmpty() ? null : reasons.get(0);
    }
}
