package bragg.jobs.progress;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;

class ConsoleProgressTest {

    private static StepMetrics step(long s) {
        return new StepMetrics((int) ((s - 1) / 10) + 1, 3, s, 30, 1.0 / s, 250.0, 0.4, 0.1);
    }

    @Test
    void oneLinePerNStepsWithEtaFromMeasuredStepTime() {
        ByteArrayOutputStream buf = new ByteArrayOutputStream();
        AtomicLong clock = new AtomicLong();
        ConsoleProgress p = new ConsoleProgress(new PrintStream(buf, true, StandardCharsets.UTF_8), 10, false, clock::get);
        for (long s = 1; s <= 30; s++) {
            clock.set((s - 1) * 2_000_000_000L); // 2 s per step
            p.onStep(step(s));
        }
        p.onEnd();
        String[] lines = buf.toString(StandardCharsets.UTF_8).split("\n");
        assertEquals(3, lines.length, String.join("\n", lines));
        assertEquals("epoch 1/3  step 10/30  loss 0.1000  250.0 samples/s  comm 25%  ETA 40s", lines[0]);
        assertEquals("epoch 3/3  step 30/30  loss 0.0333  250.0 samples/s  comm 25%  ETA 0s", lines[2]);
    }

    @Test
    void barIsRedrawnInPlaceAndClearedBeforeLines() {
        ByteArrayOutputStream buf = new ByteArrayOutputStream();
        AtomicLong clock = new AtomicLong();
        ConsoleProgress p = new ConsoleProgress(new PrintStream(buf, true, StandardCharsets.UTF_8), 10, true, clock::get);
        for (long s = 1; s <= 12; s++) {
            clock.addAndGet(1_000_000_000L);
            p.onStep(step(s));
        }
        String text = buf.toString(StandardCharsets.UTF_8);
        assertTrue(text.contains("\r[===========>                  ] 11/30"), text);
        assertTrue(text.contains("\r\nepoch") || text.contains("\repoch 1/3  step 10/30"), text);
    }

    @Test
    void durations() {
        assertEquals("0s", ConsoleProgress.duration(0.2));
        assertEquals("3m05s", ConsoleProgress.duration(185));
        assertEquals("2h07m", ConsoleProgress.duration(2 * 3600 + 7 * 60 + 3));
    }

    @Test
    void badMetricsAreRejected() {
        assertTrue(assertThrows(IllegalArgumentException.class,
                () -> new StepMetrics(1, 1, 5, 4, 0, 0, 0, 0)).getMessage().contains("step 5/4"));
        assertThrows(IllegalArgumentException.class, () -> new ConsoleProgress(System.err, 0, false, System::nanoTime));
    }
}
