package bragg.driver.train;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import bragg.worker.train.StepMetrics;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import org.apache.spark.SparkConf;
import org.junit.jupiter.api.Test;

/** The driver's live-progress channel: strangers that stay silent or never end a line do not stop rank 0's lines. */
class MetricsChannelTest {

    private static Thread flood(Socket s, byte[] prefix) {
        Thread t = new Thread(() -> {
            byte[] junk = new byte[1 << 16];
            Arrays.fill(junk, (byte) '7');
            try {
                OutputStream o = s.getOutputStream();
                o.write(prefix);
                while (true) {
                    o.write(junk);
                }
            } catch (IOException e) {
                // the channel hung up on it
            }
        });
        t.setDaemon(true);
        t.start();
        return t;
    }

    @Test
    void idleAndEndlessConnectionsDoNotStopProgress() throws Exception {
        List<StepMetrics> seen = new CopyOnWriteArrayList<>();
        SparkConf conf = new SparkConf(false).set("spark.driver.host", "127.0.0.1");
        try (MetricsChannel ch = MetricsChannel.open(conf, seen::add);
             Socket idle = new Socket("127.0.0.1", ch.endpoint().port());
             Socket noNewline = new Socket("127.0.0.1", ch.endpoint().port());
             Socket authenticatedFlood = new Socket("127.0.0.1", ch.endpoint().port())) {
            Thread a = flood(noNewline, new byte[0]);
            Thread b = flood(authenticatedFlood, (ch.endpoint().token() + "\n").getBytes(StandardCharsets.UTF_8));
            long t0 = System.nanoTime();
            try (MetricsChannel.Sender rank0 = new MetricsChannel.Sender(ch.endpoint())) {
                for (int i = 0; i < 3; i++) {
                    rank0.accept(new StepMetrics(i, 0, 1.0 / (i + 1), 1e-3, 10, 1, 1));
                }
                ch.awaitStep(2, 5_000);
            }
            long ms = (System.nanoTime() - t0) / 1_000_000;
            assertEquals(List.of(0L, 1L, 2L), seen.stream().map(StepMetrics::step).toList(), "after " + ms + " ms");
            assertTrue(ms < 3_000, "rank 0's lines took " + ms + " ms with strangers on the port");
            a.join(10_000);
            b.join(10_000);
            assertTrue(!a.isAlive() && !b.isAlive(), "the channel hangs up on a line that does not end");
        }
    }

    @Test
    void linesAreCappedBeforeTheyAreBuffered() throws Exception {
        assertEquals("abc", MetricsChannel.readLine(new ByteArrayInputStream("abc\r\nrest".getBytes()), 3));
        IOException e = assertThrows(IOException.class,
                () -> MetricsChannel.readLine(new ByteArrayInputStream("abcd\n".getBytes()), 3));
        assertTrue(e.getMessage().contains("longer than 3"), e.getMessage());
        assertEquals(null, MetricsChannel.readLine(new ByteArrayInputStream(new byte[0]), 3));
    }
}
