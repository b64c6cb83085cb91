package bragg.jobs.evaluate;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import org.nd4j.evaluation.classification.ConfusionMatrix;
import org.nd4j.evaluation.classification.Evaluation;

/**
 * Accuracy, per-class precision/recall/F1 and the confusion matrix of a classifier on held-out
 * samples, computed by DL4J's {@link Evaluation} (so the numbers are the ones DL4J users know).
 *
 * @param labelNames class names, index = class
 * @param count      samples evaluated
 * @param accuracy   fraction correct
 * @param perClass   one row per class
 * @param confusion  [actual][predicted] counts
 */
public record ClassificationScores(List<String> labelNames, long count, double accuracy,
                                   List<PerClass> perClass, int[][] confusion) {

    /** One class's row; precision is NaN when the class was never predicted, recall when it never occurs. */
    public record PerClass(String name, double precision, double recall, double f1, long support) {
    }

    /**
     * @param actual    [n] true class per sample
     * @param predicted [n] predicted class per sample
     */
    public static ClassificationScores of(List<String> labelNames, int[] actual, int[] predicted) {
        if (actual.length != predicted.length) {
            throw new IllegalArgumentException("evaluation: " + actual.length + " labels but " + predicted.length + " predictions");
        }
        if (actual.length == 0) {
            throw new IllegalArgumentException("evaluation: no labelled samples to evaluate");
        }
        int k = labelNames.size();
        Evaluation ev = new Evaluation(labelNames);
        for (int i = 0; i < actual.length; i++) {
            if (actual[i] < 0 || actual[i] >= k || predicted[i] < 0 || predicted[i] >= k) {
                throw new IllegalArgumentException("evaluation: sample " + i + " has actual class " + actual[i]
                        + ", predicted " + predicted[i] + "; classes are 0.." + (k - 1));
            }
            ev.eval(predicted[i], actual[i]);
        }
        ConfusionMatrix<Integer> cm = ev.getConfusionMatrix();
        int[][] confusion = new int[k][k];
        List<PerClass> rows = new ArrayList<>();
        for (int a = 0; a < k; a++) {
            long support = 0;
            long predictedAs = 0;
            for (int p = 0; p < k; p++) {
                confusion[a][p] = cm.getCount(a, p);
                support += confusion[a][p];
            }
            for (int r = 0; r < k; r++) {
                predictedAs += cm.getCount(r, a);
            }
            // DL4J returns 0 for an undefined precision/recall; say "undefined" (NaN) instead.
            double precision = predictedAs == 0 ? Double.NaN : ev.precision(a);
            double recall = support == 0 ? Double.NaN : ev.recall(a);
            double f1 = Double.isNaN(precision) || Double.isNaN(recall) ? Double.NaN : ev.f1(a);
            rows.add(new PerClass(labelNames.get(a), precision, recall, f1, support));
        }
        return new ClassificationScores(List.copyOf(labelNames), actual.length, ev.accuracy(), List.copyOf(rows), confusion);
    }

    /** As JSON-ready maps (evaluation.json). */
    public Map<String, Object> toMap() {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("count", count);
        m.put("accuracy", accuracy);
        List<Map<String, Object>> rows = new ArrayList<>();
        for (PerClass p : perClass) {
            Map<String, Object> r = new LinkedHashMap<>();
            r.put("class", p.name());
            r.put("precision", p.precision());
            r.put("recall", p.recall());
            r.put("f1", p.f1());
            r.put("support", p.support());
            rows.add(r);
        }
        m.put("per_class", rows);
        m.put("label_names", labelNames);
        m.put("confusion", confusion);
        return m;
    }

    /** A plain-text table for the console. */
    public String table() {
        StringBuilder sb = new StringBuilder();
        sb.append(String.format(Locale.ROOT, "accuracy %.4f on %d held-out samples%n", accuracy, count));
        sb.append(String.format(Locale.ROOT, "%-16s %9s %9s %9s %8s%n", "class", "precision", "recall", "f1", "support"));
        for (PerClass p : perClass) {
            sb.append(String.format(Locale.ROOT, "%-16s %9.4f %9.4f %9.4f %8d%n",
                    p.name(), p.precision(), p.recall(), p.f1(), p.support()));
        }
        sb.append("confusion (rows actual, columns predicted):").append(System.lineSeparator());
        for (int a = 0; a < confusion.length; a++) {
            sb.append(String.format(Locale.ROOT, "%-16s", labelNames.get(a)));
            for (int v : confusion[a]) {
                sb.append(String.format(Locale.ROOT, " %7d", v));
            }
            sb.append(System.lineSeparator());
        }
        return sb.toString();
    }
}
