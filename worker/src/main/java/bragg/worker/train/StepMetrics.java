package bragg.worker.train;

import java.io.Serializable;
import java.util.Locale;

/**
 * One optimizer step as rank 0 saw it: mean loss over all replicas, throughput of the whole job
 * and the step time split into compute (forward, backward, update) and communication: the time
 * the step waited for its gradient all-reduce after the backward (with bragg.train.overlap, the
 * part of the all-reduce the backward did not hide).
 */
public record StepMetrics(long step, int epoch, double loss, double learningRate, double samplesPerSec,
                          double computeMs, double commMs) implements Serializable {
    public static final String CSV_HEADER = "step,epoch,loss,learning_rate,samples_per_sec,compute_ms,comm_ms";

    public String csv() {
        return String.format(Locale.ROOT, "%d,%d,%.6g,%.6g,%.2f,%.3f,%.3f", step, epoch, loss, learningRate, samplesPerSec,
                computeMs, commMs);
    }

    public static StepMetrics parseCsv(String line) {
        String[] f = line.split(",");
        if (f.length != 7) {
            throw new IllegalArgumentException("metrics line has " + f.length + " fields, expected 7: '" + line + "'");
        }
        return new StepMetrics(Long.parseLong(f[0]), Integer.parseInt(f[1]), Double.parseDouble(f[2]),
                Double.parseDouble(f[3]), Double.parseDouble(f[4]), Double.parseDouble(f[5]), Double.parseDouble(f[6]));
    }
}
