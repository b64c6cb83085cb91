package bragg.worker.model.layers;

import org.deeplearning4j.nn.conf.NeuralNetConfiguration;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Broadcast;
import org.nd4j.linalg.factory.Nd4j;

/** Implementation of {@link PositionEmbedding}: y = x + PE, PE [D, T] broadcast over B. */
public class PositionEmbeddingLayer extends BraggLayer<PositionEmbedding> {
    private INDArray table; // [D, T] fixed sinusoids, built on first use for the seen T

    public PositionEmbeddingLayer(NeuralNetConfiguration conf, DataType dataType) {
        super(conf, dataType);
    }

    @Override
    protected INDArray forward(INDArray x, INDArray mask, boolean training) {
        PositionEmbedding c = layerConf();
        requireShape(x, "[B, D, T]", -1, c.width(), c.length() > 0 ? c.length() : -1);
        INDArray pe = c.kind() == PositionEmbedding.Kind.LEARNED ? getParam("pos") : sinusoids((int) x.size(2), x.dataType());
        return Broadcast.add(x, pe, x.ulike(), 1, 2);
    }

    @Override
    protected INDArray backward(INDArray dOut) {
        if (layerConf().kind() == PositionEmbedding.Kind.LEARNED) {
            gradientViews.get("pos").assign(dOut.sum(0));
        }
        return dOut.dup();
    }

    private INDArray sinusoids(int t, DataType type) {
        if (table != null && table.size(1) == t && table.dataType() == type) {
            return table;
        }
        PositionEmbedding c = layerConf();
        int d = c.width();
        double[][] pe = new double[d][t];
        if (c.kind() == PositionEmbedding.Kind.SINUSOIDAL_1D) {
            for (int pos = 0; pos < t; pos++) {
                fill(pe, 0, d, pos, pos);
            }
        } else {
            int grid = c.gridHeight() * c.gridWidth();
            for (int pos = c.prefix(); pos < t; pos++) {
                int cell = (pos - c.prefix()) % grid;
                fill(pe, 0, d / 2, pos, cell / c.gridWidth());
                fill(pe, d / 2, d / 2, pos, cell % c.gridWidth());
            }
        }
        table = Nd4j.create(pe).castTo(type);
        return table;
    }

    /** Features [from, from+n) of token column {@code col} encode {@code value} by the 1-D formula with width n. */
    private static void fill(double[][] pe, int from, int n, int col, int value) {
        for (int i = 0; i < n / 2; i++) {
            double angle = value / Math.pow(10000.0, 2.0 * i / n);
            pe[from + 2 * i][col] = Math.sin(angle);
            pe[from + 2 * i + 1][col] = Math.cos(angle);
        }
    }
}
