package bragg.ml;

import java.nio.file.Path;
import org.apache.spark.sql.SparkSession;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.io.TempDir;

/** What the bragg.ml tests share: one local[2] session per test class ({@link MlFixtures#spark}) and a temporary folder. */
abstract class SparkMlTest {
    static SparkSession spark;

    @TempDir
    Path tmp;

    @BeforeAll
    static void start() {
        spark = MlFixtures.spark();
    }

    @AfterAll
    static void stop() {
        spark.stop();
    }
}
