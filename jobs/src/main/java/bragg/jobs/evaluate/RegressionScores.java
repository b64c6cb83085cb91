package bragg.jobs.evaluate;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import org.nd4j.evaluation.regression.RegressionEvaluation;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/**
 * Per-target regression errors (MSE, MAE, RMSE, R^2) on held-out samples, computed by DL4J's
 * {@link RegressionEvaluation}.
 */
public record RegressionScores(long count, List<Column> columns) {

    public record Column(String name, double mse, double mae, double rmse, double r2) {
    }

    /**
     * @param actual    [n][targets]
     * @param predicted [n][targets]
     */
    public static RegressionScores of(List<String> names, float[][] actual, float[][] predicted) {
        if (actual.length != predicted.length || actual.length == 0) {
            throw new IllegalArgumentException("regression evaluation: " + actual.length + " targets and "
                    + predicted.length + " predictions (need the same, > 0)");
        }
        int t = names.size();
        for (int i = 0; i < actual.length; i++) {
            if (actual[i].length != t || predicted[i].length != t) {
                throw new IllegalArgumentException("regression evaluation: sample " + i + " has " + actual[i].length
                        + " targets and " + predicted[i].length + " predictions, expected " + t + " (" + names + ")");
            }
        }
        RegressionEvaluation ev = new RegressionEvaluation(names);
        INDArray a = Nd4j.createFromArray(actual).castTo(DataType.DOUBLE);
        INDArray p = Nd4j.createFromArray(predicted).castTo(DataType.DOUBLE);
        ev.eval(a, p);
        List<Column> cols = new ArrayList<>();
        for (int c = 0; c < t; c++) {
            cols.add(new Column(names.get(c), ev.meanSquaredError(c), ev.meanAbsoluteError(c),
                    ev.rootMeanSquaredError(c), ev.rSquared(c)));
        }
        return new RegressionScores(actual.length, List.copyOf(cols));
    }

    public Map<String, Object> toMap() {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("count", count);
        List<Map<String, Object>> rows = new ArrayList<>();
        for (Column c : columns) {
            Map<String, Object> r = new LinkedHashMap<>();
            r.put("target", c.name());
            r.put("mse", c.mse());
            r.put("mae", c.mae());
            r.put("rmse", c.rmse());
            r.put("r2", c.r2());
            rows.add(r);
        }
        m.put("targets", rows);
        return m;
    }

    public String table() {
        StringBuilder sb = new StringBuilder();
        sb.append(String.format(Locale.ROOT, "regression on %d held-out samples%n", count));
        sb.append(String.format(Locale.ROOT, "%-16s %10s %10s %10s %8s%n", "target", "mse", "mae", "rmse", "r2"));
        for (Column c : columns) {
            sb.append(String.format(Locale.ROOT, "%-16s %10.4g %10.4g %10.4g %8.4f%n", c.name(), c.mse(), c.mae(), c.rmse(), c.r2()));
        }
        return sb.toString();
    }
}
