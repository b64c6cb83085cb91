package bragg.ml;

import java.util.function.Function;
import org.apache.spark.ml.param.Params;
import org.apache.spark.ml.util.MLReader;
import org.apache.spark.ml.util.MLWriter;

/** Saves and loads a stage that is nothing but its params (the estimators), so a Pipeline saves whole. */
final class ParamsOnlyWriter extends MLWriter {
    private final Params stage;

    ParamsOnlyWriter(Params stage) {
        this.stage = stage;
    }

    @Override
    public void saveImpl(String path) {
        ParamsFile.write(stage, path, sparkSession(), null);
    }

    /** Builds the stage with its saved uid and sets the params it had set. */
    static final class Reader<T extends Params> extends MLReader<T> {
        private final Class<T> type;
        private final Function<String, T> withUid;

        Reader(Class<T> type, Function<String, T> withUid) {
            this.type = type;
            this.withUid = withUid;
        }

        @Override
        public T load(String path) {
            ParamsFile.Saved saved = ParamsFile.read(path, sparkSession(), type);
            T stage = withUid.apply(saved.uid());
            ParamsFile.apply(stage, saved);
            return stage;
        }
    }
}
