package bragg.jobs.cluster;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.TreeMap;
import java.util.stream.Collectors;
import java.util.stream.Stream;

/**
 * The tasks of one Spark application, read from its event log (spark.eventLog.enabled,
 * uncompressed: one JSON listener event per line). This is how the test learns which executor
 * ran what, without reaching into the driver.
 */
record EventLog(Path file, List<Task> tasks, Set<String> executorsAdded) {
    private static final ObjectMapper JSON = new ObjectMapper();

    /** One finished task attempt. {@code barrier}: its stage ran in barrier mode (rdd.barrier()). */
    record Task(int stage, int stageAttempt, int index, String executor, String host, boolean successful, boolean barrier) {
    }

    /** Reads the one application log in {@code dir} (a finished application: no .inprogress suffix). */
    static EventLog read(Path dir) throws IOException {
        List<Path> files;
        try (Stream<Path> s = Files.list(dir)) {
            files = s.filter(Files::isRegularFile).toList();
        }
        if (files.size() != 1 || files.get(0).toString().endsWith(".inprogress")) {
            throw new IllegalStateException(dir + ": expected the event log of one finished application, found " + files);
        }
        Path file = files.get(0);
        Set<Integer> barrierStages = new HashSet<>();
        List<JsonNode> ends = new ArrayList<>();
        Set<String> added = new HashSet<>();
        for (String line : Files.readAllLines(file)) {
            JsonNode e = JSON.readTree(line);
            switch (e.path("Event").asText()) {
                case "SparkListenerStageSubmitted" -> {
                    JsonNode stage = e.path("Stage Info");
                    for (JsonNode rdd : stage.path("RDD Info")) {
                        if (rdd.path("Barrier").asBoolean(false)) barrierStages.add(stage.path("Stage ID").asInt());
                    }
                }
                case "SparkListenerTaskEnd" -> ends.add(e);
                case "SparkListenerExecutorAdded" -> added.add(e.path("Executor ID").asText());
                default -> {
                }
            }
        }
        List<Task> tasks = new ArrayList<>();
        for (JsonNode e : ends) {
            JsonNode info = e.path("Task Info");
            int stage = e.path("Stage ID").asInt();
            tasks.add(new Task(stage, e.path("Stage Attempt ID").asInt(), info.path("Index").asInt(), info.path("Executor ID").asText(),
                    info.path("Host").asText(), "Success".equals(e.path("Task End Reason").path("Reason").asText()), barrierStages.contains(stage)));
        }
        return new EventLog(file, List.copyOf(tasks), Set.copyOf(added));
    }

    /** Executor id -> successful tasks it ran. */
    TreeMap<String, Long> successfulTasksPerExecutor() {
        return tasks.stream().filter(Task::successful)
                .collect(Collectors.groupingBy(Task::executor, TreeMap::new, Collectors.counting()));
    }
}
