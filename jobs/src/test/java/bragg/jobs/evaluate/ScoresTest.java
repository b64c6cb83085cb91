package bragg.jobs.evaluate;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import bragg.jobs.report.Json;
import java.util.List;
import org.junit.jupiter.api.Test;

class ScoresTest {

    @Test
    void classificationMatchesHandCounts() {
        // actual:    0 0 0 0 1 1 1 2
        // predicted: 0 0 0 1 1 1 0 0   -> class 2 is never predicted
        int[] actual = {0, 0, 0, 0, 1, 1, 1, 2};
        int[] predicted = {0, 0, 0, 1, 1, 1, 0, 0};
        ClassificationScores s = ClassificationScores.of(List.of("a", "b", "c"), actual, predicted);
        assertEquals(5.0 / 8, s.accuracy(), 1e-12);
        assertArrayEquals(new int[] {3, 1, 0}, s.confusion()[0]);
        assertArrayEquals(new int[] {1, 2, 0}, s.confusion()[1]);
        assertArrayEquals(new int[] {1, 0, 0}, s.confusion()[2]);
        ClassificationScores.PerClass a = s.perClass().get(0);
        assertEquals(3.0 / 5, a.precision(), 1e-12);
        assertEquals(3.0 / 4, a.recall(), 1e-12);
        assertEquals(2 * 0.6 * 0.75 / (0.6 + 0.75), a.f1(), 1e-9);
        assertEquals(4, a.support());
        assertTrue(Double.isNaN(s.perClass().get(2).precision()), "never predicted: precision undefined");
        assertEquals(0.0, s.perClass().get(2).recall());
        String json = Json.write(s.toMap());
        assertTrue(json.contains("\"confusion\":[[3,1,0],[1,2,0],[1,0,0]]") && json.contains("\"precision\":null"), json);
        assertTrue(s.table().contains("accuracy 0.6250 on 8"), s.table());
    }

    @Test
    void classificationRejectsBadInput() {
        String msg = assertThrows(IllegalArgumentException.class,
                () -> ClassificationScores.of(List.of("a", "b"), new int[] {0, 2}, new int[] {0, 1})).getMessage();
        assertTrue(msg.contains("sample 1") && msg.contains("actual class 2") && msg.contains("0..1"), msg);
        assertThrows(IllegalArgumentException.class, () -> ClassificationScores.of(List.of("a"), new int[0], new int[0]));
    }

    @Test
    void regressionErrors() {
        float[][] actual = {{0f}, {1f}, {2f}, {3f}};
        float[][] predicted = {{0f}, {1f}, {2f}, {5f}};
        RegressionScores r = RegressionScores.of(List.of("angle"), actual, predicted);
        RegressionScores.Column c = r.columns().get(0);
        assertEquals(1.0, c.mse(), 1e-9);
        assertEquals(0.5, c.mae(), 1e-9);
        assertEquals(1.0, c.rmse(), 1e-9);
        assertEquals(1 - 4.0 / 5.0, c.r2(), 1e-9);
        String msg = assertThrows(IllegalArgumentException.class,
                () -> RegressionScores.of(List.of("a", "b"), actual, predicted)).getMessage();
        assertTrue(msg.contains("sample 0") && msg.contains("expected 2"), msg);
    }
}
