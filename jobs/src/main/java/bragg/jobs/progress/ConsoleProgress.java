package bragg.jobs.progress;

import java.io.PrintStream;
import java.util.Locale;
import java.util.function.LongSupplier;

/**
 * Progress of a training run: one line every {@code every} steps (and at the last step) with
 * epoch, step/total, loss, samples/s, communication share of step time and ETA; on a terminal
 * also a progress bar redrawn in place on every step (like Spark's console progress bar, on stderr).
 */
public final class ConsoleProgress implements ProgressListener {
    private static final int BAR_WIDTH = 30;

    private final PrintStream out;
    private final int every;
    private final boolean bar;
    private final LongSupplier nanoClock;
    private long firstStep = -1;
    private long firstNanos;
    private boolean barShown;

    /**
     * @param out       where lines go (stderr for jobs, so stdout keeps the results)
     * @param every     print a line every this many steps
     * @param bar       draw a progress bar (pass {@code System.console() != null})
     * @param nanoClock time source ({@code System::nanoTime}; tests pass their own)
     */
    public ConsoleProgress(PrintStream out, int every, boolean bar, LongSupplier nanoClock) {
        if (every < 1) {
            throw new IllegalArgumentException("progress line every " + every + " steps: must be >= 1");
        }
        this.out = out;
        this.every = every;
        this.bar = bar;
        this.nanoClock = nanoClock;
    }

    /** For jobs: stderr, a bar only when attached to a terminal. */
    public static ConsoleProgress forJob(int every) {
        return new ConsoleProgress(System.err, every, System.console() != null, System::nanoTime);
    }

    @Override
    public synchronized void onStep(StepMetrics m) {
        long now = nanoClock.getAsLong();
        if (firstStep < 0) {
            // ETA is measured from the first step seen: it excludes start-up (Spark, model build).
            firstStep = m.step();
            firstNanos = now;
        }
        String eta = eta(m, now);
        if (m.step() % every == 0 || m.step() == m.totalSteps()) {
            clearBar();
            out.println(line(m, eta));
        }
        if (bar && m.step() < m.totalSteps()) {
            drawBar(m, eta);
        }
        out.flush();
    }

    @Override
    public synchronized void onEnd() {
        clearBar();
        out.flush();
    }

    static String line(StepMetrics m, String eta) {
        return String.format(Locale.ROOT, "epoch %d/%d  step %d/%d  loss %.4f  %.1f samples/s  comm %.0f%%  ETA %s",
                m.epoch(), m.epochs(), m.step(), m.totalSteps(), m.loss(), m.samplesPerSecond(),
                100 * m.commShare(), eta);
    }

    private String eta(StepMetrics m, long now) {
        long done = m.step() - firstStep;
        if (done <= 0) {
            return "--";
        }
        double perStep = (now - firstNanos) / 1e9 / done;
        return duration(perStep * (m.totalSteps() - m.step()));
    }

    /** 0s, 42s, 3m05s, 2h07m. */
    static String duration(double seconds) {
        long s = Math.round(seconds);
        if (s < 60) {
            return s + "s";
        }
        if (s < 3600) {
            return String.format(Locale.ROOT, "%dm%02ds", s / 60, s % 60);
        }
        return String.format(Locale.ROOT, "%dh%02dm", s / 3600, (s % 3600) / 60);
    }

    private void drawBar(StepMetrics m, String eta) {
        int filled = (int) (BAR_WIDTH * m.step() / m.totalSteps());
        StringBuilder sb = new StringBuilder("\r[");
        for (int i = 0; i < BAR_WIDTH; i++) {
            sb.append(i < filled ? '=' : i == filled ? '>' : ' ');
        }
        sb.append(String.format(Locale.ROOT, "] %d/%d  loss %.4f  ETA %s ", m.step(), m.totalSteps(), m.loss(), eta));
        out.print(sb);
        barShown = true;
    }

    private void clearBar() {
        if (barShown) {
            out.print("\r" + " ".repeat(BAR_WIDTH + 60) + "\r");
            barShown = false;
        }
    }
}
