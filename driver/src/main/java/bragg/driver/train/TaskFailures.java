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
            notifyAll();
        }
    }

    /**
     * {@link #first}, after waiting up to {@code millis} for a failure that is not a peer's echo:
     * the job can fail on a neighbour's echo before the failed replica's own task end has reached
     * the driver (its executor reports it a moment later), and the summary should name the cause.
     */
    synchronized String awaitCause(long millis) throws InterruptedException {
        long end = System.nanoTime() + millis * 1_000_000L;
        while (reasons.stream().allMatch(TaskFailures::isPeerEcho)) {
            long left = end - System.nanoTime();
            if (left <= 0) {
                break;
            }
            wait(Math.max(1, left / 1_000_000L));
        }
        return first();
    }

    /**
     * The cause: the first failure that is not an echo of it. When one replica fails, its ring
     * neighbours fail at once reading from or sending to it ("... from rank 1 at host:port
     * failed"), and their task ends can reach the listener before the failed replica's own; so a
     * failure that names a peer rank is taken only when every failure does.
     */
    synchronized String first() {
        for (String r : reasons) {
            if (!isPeerEcho(r)) {
                return r;
            }
        }
        return reasons.isEmpty() ? null : reasons.get(0);
    }

    /** The ring's errors about a peer name it as "rank N at host:port" after "from" or "to". */
    static boolean isPeerEcho(String reason) {
        return reason.matches("(?s).*\\b(from|to) rank \\d+ at .*");
    }
}
