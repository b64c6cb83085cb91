package bragg.jobs.report;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * A run's metrics.csv (one header line, then one row per logged step), as numeric columns by
 * header name. Empty cells read as NaN (a column logged only at some steps, e.g. validation accuracy).
 */
public final class MetricsCsv {
    private final Map<String, double[]> columns;
    private final int rows;

    private MetricsCsv(Map<String, double[]> columns, int rows) {
        this.columns = columns;
        this.rows = rows;
    }

    public static MetricsCsv read(Path file) throws IOException {
        List<String> lines = Files.readAllLines(file);
        if (lines.isEmpty() || lines.get(0).isBlank()) {
            throw new IOException(file + ": empty, expected a header line such as step,epoch,loss,...");
        }
        String[] header = lines.get(0).trim().split(",", -1);
        List<String[]> body = new ArrayList<>();
        for (int i = 1; i < lines.size(); i++) {
            if (lines.get(i).isBlank()) {
                continue;
            }
            String[] cells = lines.get(i).split(",", -1);
            if (cells.length != header.length) {
                throw new IOException(file + " line " + (i + 1) + ": " + cells.length + " cells, header has " + header.length);
            }
            body.add(cells);
        }
        Map<String, double[]> cols = new LinkedHashMap<>();
        for (int c = 0; c < header.length; c++) {
            double[] v = new double[body.size()];
            boolean numeric = true;
            for (int r = 0; r < body.size() && numeric; r++) {
                String s = body.get(r)[c].trim();
                if (s.isEmpty() || s.equalsIgnoreCase("nan")) {
                    v[r] = Double.NaN;
                } else {
                    try {
                        v[r] = Double.parseDouble(s);
                    } catch (NumberFormatException e) {
                        numeric = false; // a text column (e.g. a timestamp): not plotted
                    }
                }
            }
            if (numeric) {
                cols.put(header[c].trim(), v);
            }
        }
        return new MetricsCsv(Collections.unmodifiableMap(cols), body.size());
    }

    public int rows() {
        return rows;
    }

    public Map<String, double[]> columns() {
        return columns;
    }

    /** The x axis: the step column when there is one, else the row number. */
    public double[] steps() {
        double[] s = columns.get("step");
        if (s != null) {
            return s;
        }
        double[] r = new double[rows];
        for (int i = 0; i < rows; i++) {
            r[i] = i + 1;
        }
        return r;
    }

    /** Numeric columns whose name contains {@code part} (e.g. "loss", "acc"), by name. */
    public Map<String, double[]> matching(String part) {
        Map<String, double[]> m = new LinkedHashMap<>();
        columns.forEach((k, v) -> {
            if (k.toLowerCase(java.util.Locale.ROOT).contains(part)) {
                m.put(k, v);
            }
        });
        return m;
    }
}
