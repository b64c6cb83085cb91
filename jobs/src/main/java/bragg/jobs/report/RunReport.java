package bragg.jobs.report;

import bragg.driver.shards.Manifest;
import bragg.jobs.BuildInfo;
import bragg.jobs.config.BraggConfig;
import bragg.jobs.config.BraggKeys;
import bragg.jobs.evaluate.EvaluationFile;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.ZonedDateTime;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;

/**
 * Builds report.html from what a run folder holds (metrics.csv, evaluation.json, maps/*.png,
 * config.conf) plus provenance: config, seed, data sources and checksums, code version.
 * Train, evaluate and infer each call it at their end, so the page is always current.
 */
public final class RunReport {
    private RunReport() {
    }

    /**
     * @param manifest the shards' manifest (data provenance), or null
     * @param extra    more provenance rows (e.g. timings), in order
     */
    public static Path write(RunFolder run, BraggConfig config, Manifest manifest, Map<String, String> extra)
            throws IOException {
        MetricsCsv metrics = Files.isRegularFile(run.metrics()) ? MetricsCsv.read(run.metrics()) : null;
        EvaluationFile.Scores scores = Files.isRegularFile(run.evaluation()) ? EvaluationFile.read(run.evaluation()) : null;
        List<ReportContent.Figure> figures = new ArrayList<>();
        if (Files.isDirectory(run.maps())) {
            try (Stream<Path> s = Files.list(run.maps())) {
                for (Path png : s.filter(p -> p.toString().endsWith(".png")).sorted().toList()) {
                    figures.add(new ReportContent.Figure(caption(png), png));
                }
            }
        }
        String configText = Files.isRegularFile(run.config()) ? Files.readString(run.config()) : config.renderHocon();

        Map<String, String> prov = new LinkedHashMap<>();
        prov.put("code version", "bragg " + BuildInfo.version());
        prov.put("report written", ZonedDateTime.now().format(DateTimeFormatter.ISO_OFFSET_DATE_TIME));
        prov.put("run folder", run.dir().toAbsolutePath().toString());
        prov.put("model", Files.isRegularFile(run.model())
                ? run.model().toAbsolutePath() + " (" + Files.size(run.model()) + " bytes)" : "none");
        prov.put("model kind", config.get(BraggKeys.MODEL_KIND));
        prov.put("seed", Long.toString(config.get(BraggKeys.TRAIN_SEED)));
        prov.put("shards", config.get(BraggKeys.DATA_SHARDS));
        if (manifest != null) {
            prov.put("data", manifest.kind() + ", " + manifest.count() + " samples of shape "
                    + java.util.Arrays.toString(manifest.sampleShape()) + " " + manifest.dtype()
                    + ", labels " + manifest.labelNames());
            for (Manifest.Source src : manifest.sources()) {
                prov.put("source " + src.path(), "sha256 " + (src.sha256() == null ? "not recorded" : src.sha256()));
            }
        }
        if (scores != null && !scores.heldOut().isEmpty()) {
            prov.put("held-out region", scores.heldOut());
        }
        prov.putAll(extra);
        String title = config.get(BraggKeys.MODEL_KIND) + " on " + (manifest == null ? config.get(BraggKeys.DATA_SHARDS)
                : manifest.sources().isEmpty() ? config.get(BraggKeys.DATA_SHARDS)
                : Path.of(manifest.sources().get(0).path()).getFileName().toString());
        return ReportWriter.write(run.report(), new ReportContent(title, metrics,
                scores == null ? null : scores.classification(), scores == null ? null : scores.regression(),
                figures, configText, prov));
    }

    private static String caption(Path png) {
        String n = png.getFileName().toString().replace(".png", "");
        return switch (n) {
            case "phase_map" -> "Phase map: predicted phase at every scan position (numbers: phase_map.npy)";
            case "orientation_map" -> "Orientation map: predicted in-plane angle (numbers: value_map.npy)";
            case "value_map" -> "Value map: predicted value at every scan position (numbers: value_map.npy)";
            case "defect_map" -> "Defect map: probability of a defect per tile and layer (numbers: defect_probability.npy)";
            default -> n.replace('_', ' ');
        };
    }
}
