package bragg.jobs.cluster;

import java.io.IOException;
import java.nio.file.Path;

/**
 * One finished spark-submit: its exit code (-1 if it ran past its timeout and was killed),
 * the driver's console output, and the folder holding the application's event log.
 */
record Submission(String name, int exitCode, String output, Path eventLogDir) {

    EventLog eventLog() throws IOException {
        return EventLog.read(eventLogDir);
    }

    /** The last lines of the driver's output, for assertion messages. */
    String outputTail(int lines) {
        var all = output.lines().toList();
        return "spark-submit " + name + " (exit " + exitCode + "), last lines:\n" + String.join("\n", all.subList(Math.max(0, all.size() - lines), all.size()));
    }
}
