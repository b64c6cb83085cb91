package bragg.driver.train;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import org.apache.spark.ExceptionFailure;
import org.apache.spark.TaskEndReason;
import org.apache.spark.scheduler.SparkListener;
import org.apache.spark.scheduler.SparkListenerJobStart;
import org.apache.spark.scheduler.SparkListenerTaskEnd;
import scala.jdk.javaapi.CollectionConverters;

/**
 * Why the tasks of one attempt's barrier stage failed. When a barrier stage aborts, Spark's job
 * error says only that "barrier task ResultTask(s, p) finished unsuccessfully"; the replica's own
 * exception (the dead peer, the bad sample, the injected fault) arrives in the task-end event, so
 * this listener keeps it for the driver's message. The listener bus delivers events late, so the
 * previous attempt's task ends can still arrive while this attempt runs: only the stages of jobs
 * in this attempt's job group count.
 */
final class TaskFailures extends SparkListener {
    private final String jobGroup;
    private final Set<Integer> stages = new HashSet<>();
    private final List<String> reasons = new ArrayList<>();

    /** @param jobGroup the job group ({@code spark.jobGroup.id}) of this attempt's jobs */
    TaskFailures(String jobGroup) {
        this.jobGroup = jobGroup;
    }

    @Override
    public void onJobStart(SparkListenerJobStart start) {
        String group = start.properties() == null ? null : start.properties().getProperty("spark.jobGroup.id");
        List<Object> ids = CollectionConverters.asJava(start.stageIds());
        jobStarted(group, ids.stream().map(o -> (Integer) o).toList());
    }

    @Override
    public void onTaskEnd(SparkListenerTaskEnd end) {
        TaskEndReason r = end.reason();
        // Only exceptions thrown by a replica: the others of the stage are then killed (TaskKilled).
        if (r instanceof ExceptionFailure f) {
            taskFailed(end.stageId(), "task " + end.taskInfo().index() + ": " + f.className() + ": " + f.description());
        }
    }

    synchronized void jobStarted(String group, List<Integer> stageIds) {
        if (jobGroup.equals(group)) {
            stages.addAll(stageIds);
        }
    }

    synchronized void taskFailed(int stageId, String reason) {
        if (stages.contains(stageId)) {
            reasons.add(reason);
        }
    }

    /** The first failure, where the cause usually is; the later ones are mostly its echoes. */
    synchronized String first() {
        return reasons.isEmpty() ? null : reasons.get(0);
    }
}
