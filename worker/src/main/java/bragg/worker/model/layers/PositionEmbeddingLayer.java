package bragg.worker.model.layers;

import org.deeplearning4j.nn.conf.NeuralNetConfiguration;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Broadcast;
import org.nd4j.linalg.factory.Nd4j;
import bragg.kernels.RowKernels;
import bragg.worker.model.ops.Arena;
import bragg.worker.model.ops.Tokens;

/**
 * Implementation of {@link PositionEmbedding}: y = x + PE, PE [D, T] broadcast over B. Float
 * networks add PE to rows [B*T, D] in one fused pass (PE read transposed once per step, [T, D])
 * and pass the gradient through as it came (dx = dy, no copy).
 */
public class PositionEmbeddingLayer extends BraggLayer<PositionEmbedding> {
    private INDArray table; // [D, T] fixed sinusoids, built on first use for the seen T
    private long batch, tokens;

    public PositionEmbeddingLayer(NeuralNetConfiguration conf, DataType dataType) {
        super(conf, dataType);
    }

    @Override
    protected boolean fusedOutputs() {
        return dataType == DataType.FLOAT;
    }

    @Override
    protected INDArray forward(INDArray x, INDArray mask, boolean training) {
        PositionEmbedding c = layerConf();
        requireShape(x, "[B, D, T]", -1, c.width(), c.length() > 0 ? c.length() : -1);
        INDArray pe = c.kind() == PositionEmbedding.Kind.LEARNED ? getParam("pos") : sinusoids((int) x.size(2), x.dataType());
        if (fusedOutputs()) {
            batch = x.size(0);
            tokens = x.size(2);
            int d = c.width(), t = (int) tokens;
            float[] peT = Tokens.read(pe, fusedArena().floats("peT", d * t));   // [D, T] as stored
            float[] peRows = fusedArena().floats("pe", t * d);                   // [T, D]
            for (int i = 0; i < t; i++) {
                for (int j = 0; j < d; j++) {
                    peRows[i * d + j] = peT[j * t + i];
                }
            }
            INDArray rows = Tokens.rowsOf(x, fusedArena(), "in");
            INDArray y = fusedArena().rows("y", batch * t, d);
            // each item's T*D block is one "row" and PE its "bias": y = x + PE in one pass
            RowKernels.biasResidual(Arena.bytes(rows), Arena.off(rows), peRows, null, 0, Arena.bytes(y), 0,
                    (int) batch, t * d);
            return Tokens.tokensView(y, batch, tokens);
        }
        return Broadcast.add(x, pe, x.ulike(), 1, 2);
    }

    @Override
    protected INDArray backward(INDArray dOut) {
        if (fusedOutputs()) {
            if (layerConf().kind() == PositionEmbedding.Kind.LEARNED) {
                int d = layerConf().width(), t = (int) tokens;
                INDArray dy = Tokens.rowsOf(dOut, fusedArena(), "dOut");
                float[] sums = fusedArena().floats("dpe", t * d);               // [T, D]: sum over b
                java.util.Arrays.fill(sums, 0f);
                RowKernels.columnSums(Arena.bytes(dy), Arena.off(dy), sums, (int) batch, t * d);
                float[] dpe = fusedArena().floats("dpeT", d * t);               // [D, T], the parameter's layout
                for (int i = 0; i < t; i++) {
                    for (int j = 0; j < d; j++) {
                        dpe[j * t + i] = sums[i * d + j];
                    }
                }
                Tokens.write(gradientViews.get("pos"), dpe);
            }
            // dx = dy; a gradient still in one of DL4J's workspaces is copied out, as every fused output must be
            return dOut.isAttached() ? Tokens.tokensView(Tokens.rowsOf(dOut, fusedArena(), "dx"), batch, tokens) : dOut;
        }
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
