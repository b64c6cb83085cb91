package bragg.jobs.config;

import com.typesafe.config.ConfigRenderOptions;

/**
 * Renders {@link BraggKeys} as {@code reference.conf}: every key with its doc, what it allows, and
 * its default. The file in the jar is this text (a test keeps them equal); users get it with
 * {@code bragg config reference}.
 */
public final class ConfigReference {
    private ConfigReference() {
    }

    public static String render() {
        StringBuilder sb = new StringBuilder();
        sb.append("# bragg reference configuration: every key, its meaning, what it allows, and its default.\n")
          .append("# Generated from bragg.jobs.config.BraggKeys (print it with: bin/bragg config reference).\n")
          .append("# A job reads a user file (HOCON) on top of these defaults, then --set key=value overrides.\n")
          .append("# Keys under spark.* (none set here) are passed to Spark as they are, e.g.\n")
          .append("#   spark.executor.memory = 8g\n")
          .append("#   spark.task.resource.gpu.amount = 1\n");
        String section = "";
        for (ConfigKey<?> k : BraggKeys.all()) {
            String s = k.path().substring(0, k.path().lastIndexOf('.'));
            if (!s.equals(section)) {
                section = s;
                sb.append("\n# ---- ").append(section).append(" ----\n");
            }
            sb.append('\n');
            for (String line : wrap(k.doc(), 96)) {
                sb.append("# ").append(line).append('\n');
            }
            sb.append("# allowed: ").append(k.allowed()).append('\n');
            sb.append(k.path()).append(" = ")
              .append(k.defaultAsConfigValue().render(ConfigRenderOptions.concise())).append('\n');
        }
        return sb.toString();
    }

    private static java.util.List<String> wrap(String text, int width) {
        java.util.List<String> lines = new java.util.ArrayList<>();
        StringBuilder line = new StringBuilder();
        for (String word : text.split(" ")) {
            if (line.length() > 0 && line.length() + 1 + word.length() > width) {
                lines.add(line.toString());
                line.setLength(0);
            }
            if (line.length() > 0) {
                line.append(' ');
            }
            line.append(word);
        }
        if (line.length() > 0) {
            lines.add(line.toString());
        }
        return lines;
    }
}
