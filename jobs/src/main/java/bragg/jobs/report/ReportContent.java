package bragg.jobs.report;

import bragg.jobs.evaluate.ClassificationScores;
import bragg.jobs.evaluate.RegressionScores;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;

/**
 * What goes into a run's report.html. Every part but the title, config and provenance may be
 * absent (null or empty) and its section then says so.
 *
 * @param title          the run, e.g. "vit on scan.npy"
 * @param metrics        the run's metrics.csv
 * @param classification held-out classification scores
 * @param regression     held-out regression scores
 * @param figures        PNG pictures (maps), embedded as base64
 * @param configHocon    the resolved config as saved beside the model
 * @param provenance     seed, data sources and checksums, code version, model path, timings...
 */
public record ReportContent(String title, MetricsCsv metrics, ClassificationScores classification,
                            RegressionScores regression, List<Figure> figures, String configHocon,
                            Map<String, String> provenance) {

    /** A picture and its caption. */
    public record Figure(String caption, Path png) {
    }
}
