package bragg.worker.model.layers;

import bragg.worker.model.ops.FusedPatchEmbedding;
import bragg.worker.model.ops.LinearOp;
import bragg.worker.model.ops.Tokens;
import org.deeplearning4j.nn.conf.NeuralNetConfiguration;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.indexing.NDArrayIndex;

/**
 * Implementation of {@link PatchEmbedding}. B' = B*C for perChannel (else B), Cp = channels per
 * patch. Float networks run {@link FusedPatchEmbedding}; double networks the reference below.
 */
public class PatchEmbeddingLayer extends BraggLayer<PatchEmbedding> {
    private INDArray patches; // [B'*N, Cp*P*P]
    private int batch;
    private final FusedPatchEmbedding fused = new FusedPatchEmbedding();

    public PatchEmbeddingLayer(NeuralNetConfiguration conf, DataType dataType) {
        super(conf, dataType);
    }

    @Override
    protected boolean fusedOutputs() {
        return dataType == DataType.FLOAT;
    }

    @Override
    protected INDArray forward(INDArray x, INDArray mask, boolean training) {
        PatchEmbedding c = layerConf();
        requireShape(x, "[B, C, H, W]", -1, c.channels(), c.height(), c.imageWidth());
        batch = (int) x.size(0);
        if (fusedOutputs()) {
            INDArray y = fused.forward(x, c.patch(), c.width(), c.perChannel(), c.classToken(), params(""), training);
            return Tokens.tokensView(y, batch, c.tokens());
        }
        int p = c.patch(), gh = c.height() / p, gw = c.imageWidth() / p;
        long bp = c.perChannel() ? (long) batch * c.channels() : batch;
        long cp = c.perChannel() ? 1 : c.channels();
        patches = x.reshape('c', bp, cp, gh, p, gw, p).permute(0, 2, 4, 1, 3, 5).dup('c')
                .reshape('c', bp * gh * gw, cp * p * p);                                   // [B'*N, Cp*P*P]
        INDArray rows = LinearOp.forward(patches, getParam("W"), getParam("b"));            // [B'*N, D]
        long t = c.tokens();
        INDArray tokens = rows.reshape('c', batch, t - (c.classToken() ? 1 : 0), c.width()); // [B, T', D]
        if (c.classToken()) {
            INDArray cls = getParam("cls").reshape(1, 1, c.width()).repeat(0, batch);      // [B, 1, D]
            tokens = Nd4j.concat(1, cls, tokens);                                          // [B, T, D]
        }
        return tokens.permute(0, 2, 1).dup('c');                                           // [B, D, T]
    }

    @Override
    protected INDArray backward(INDArray dOut) {
        if (fusedOutputs()) {
            return fused.backward(Tokens.rowsOf(dOut, fusedArena(), "dOut"), params(""), grads(""));
        }
        PatchEmbedding c = layerConf();
        int p = c.patch(), gh = c.height() / p, gw = c.imageWidth() / p;
        INDArray dt = dOut.permute(0, 2, 1).dup('c');                                       // [B, T, D]
        long t = dt.size(1);
        if (c.classToken()) {
            gradientViews.get("cls").assign(dt.get(NDArrayIndex.all(), NDArrayIndex.point(0), NDArrayIndex.all()).sum(0));
            dt = dt.get(NDArrayIndex.all(), NDArrayIndex.interval(1, t), NDArrayIndex.all()).dup('c');
        }
        INDArray dRows = dt.reshape('c', patches.size(0), c.width());                       // [B'*N, D]
        INDArray dPatches = LinearOp.backward(patches, getParam("W"), dRows, gradientViews.get("W"),
                gradientViews.get("b"));                                                    // [B'*N, Cp*P*P]
        long bp = c.perChannel() ? (long) batch * c.channels() : batch;
        long cp = c.perChannel() ? 1 : c.channels();
        return dPatches.reshape('c', bp, gh, gw, cp, p, p).permute(0, 3, 1, 4, 2, 5).dup('c')
                .reshape('c', batch, c.channels(), c.height(), c.imageWidth());
    }
}
