package bragg.worker.model.ops;

import bragg.kernels.ComputePool;
import java.util.concurrent.ForkJoinPool;
import org.bytedeco.javacpp.FloatPointer;
import org.bytedeco.openblas.global.openblas_nolapack;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * C = op(A) op(B) + beta C in float32, straight into OpenBLAS's cblas_sgemm, split into blocks of
 * rows (or of columns, for a short C) that the JVM's {@link ComputePool} computes at once.
 *
 * <p>Why not Nd4j.gemm with OpenBLAS's own threads: after each product OpenBLAS's workers
 * spin for about 2^28 cycles (its THREAD_TIMEOUT, ~0.1 s) before they sleep, so on a replica's
 * cores they take a core from the attention kernel and the row passes that run between products;
 * on 2 cores that cost a training step 40%. Here OpenBLAS runs single-threaded in each pool
 * thread ({@link #useSingleThreadedBlas}, process-wide, checked at every product) and nothing spins. Calling
 * cblas directly also skips the op-context set-up an ND4J custom op pays per call.
 *
 * <p>Operands are 2-D views into native ND4J buffers, each with one unit stride (row-major, or
 * column-major, which is the row-major transpose); anything else fails with the shapes found.
 */
public final class Gemm {
    private static final int ROW_MAJOR = 101, NO_TRANS = 111, TRANS = 112;
    /** Below this many multiply-adds a product runs on the calling thread: a fork costs ~10 us. */
    private static final long SPLIT_MIN_MACS = 1L << 20;
    /** Blocks are whole multiples of this many rows or columns (a register block of the BLAS kernels). */
    private static final int ALIGN = 16;

    private Gemm() {
    }

    /**
     * Sets OpenBLAS (process-wide) to one thread per call unless it is already: checked at every
     * product, so code that raised it in between (plain DL4J layers of the same JVM, which then run
     * on OpenBLAS's threads) does not leave the fused products running beside spinning workers.
     */
    public static void useSingleThreadedBlas() {
        if (openblas_nolapack.blas_get_num_threads() != 1) {
            openblas_nolapack.blas_set_num_threads(1);
        }
    }

    /** c = op(a) op(b) + beta c on the JVM's compute pool; c [M, N], op(a) [M, K], op(b) [K, N]. */
    public static void gemm(INDArray a, boolean transA, INDArray b, boolean transB, INDArray c, float beta) {
        gemm(ComputePool.shared(), a, transA, b, transB, c, beta);
    }

    /** As above, on {@code pool}. */
    public static void gemm(ForkJoinPool pool, INDArray a, boolean transA, INDArray b, boolean transB, INDArray c,
                            float beta) {
        Operand oa = Operand.of("A", a, transA), ob = Operand.of("B", b, transB), oc = Operand.of("C", c, false);
        if (oc.trans) {
            // C column-major: compute C^T = op(B)^T op(A)^T row-major instead
            gemm(pool, b, !transB, a, !transA, c.transpose(), beta);
            return;
        }
        int m = oc.rows, n = oc.cols, k = oa.cols;
        if (oa.rows != m || ob.cols != n || ob.rows != k) {
            throw new IllegalArgumentException("gemm: op(A) is " + oa.rows + "x" + oa.cols + ", op(B) " + ob.rows + "x"
                    + ob.cols + ", C " + m + "x" + n + "; expected op(A) [M, K], op(B) [K, N], C [M, N]");
        }
        useSingleThreadedBlas();
        int parts = pool.getParallelism();
        long macs = (long) m * n * k;
        if (parts == 1 || macs < SPLIT_MIN_MACS) {
            call(oa, ob, oc, 0, m, 0, n, k, beta);
        } else if (m >= 4 * ALIGN * parts) {
            int block = blockOf(m, parts);
            ComputePool.parallel(pool, (m + block - 1) / block,
                    i -> call(oa, ob, oc, i * block, Math.min(m, (i + 1) * block), 0, n, k, beta));
        } else if (n >= 2 * ALIGN * parts) {
            int block = blockOf(n, parts);
            ComputePool.parallel(pool, (n + block - 1) / block,
                    i -> call(oa, ob, oc, 0, m, i * block, Math.min(n, (i + 1) * block), k, beta));
        } else {
            call(oa, ob, oc, 0, m, 0, n, k, beta);
        }
    }

    /** {@code x} itself when {@link #gemm} takes it as it is (one unit stride), else a row-major copy. */
    public static INDArray unitStrided(INDArray x) {
        return x.rank() == 2 && (x.stride(1) == 1 || x.stride(0) == 1 || x.size(1) == 1) ? x : x.dup('c');
    }

    /** Length of each of {@code parts} blocks covering {@code len}, rounded up to {@link #ALIGN}. */
    private static int blockOf(int len, int parts) {
        int per = (len + parts - 1) / parts;
        return (per + ALIGN - 1) / ALIGN * ALIGN;
    }

    /** C[r0:r1, c0:c1] = op(A)[r0:r1, :] op(B)[:, c0:c1] + beta C[r0:r1, c0:c1]. */
    private static void call(Operand a, Operand b, Operand c, int r0, int r1, int c0, int c1, int k, float beta) {
        FloatPointer pa = a.at(r0, 0), pb = b.at(0, c0), pc = c.at(r0, c0);
        openblas_nolapack.cblas_sgemm(ROW_MAJOR, a.trans ? TRANS : NO_TRANS, b.trans ? TRANS : NO_TRANS,
                r1 - r0, c1 - c0, k, 1f, pa, a.ld, pb, b.ld, beta, pc, c.ld);
    }

    /**
     * op(X) of a 2-D view as cblas sees it: stored row-major [storedRows, storedCols] with leading
     * dimension ld, transposed when trans. rows, cols: those of op(X).
     */
    private static final class Operand {
        final INDArray array;
        final boolean trans;
        final int rows, cols, ld;

        private Operand(INDArray array, boolean trans, int rows, int cols, int ld) {
            this.array = array;
            this.trans = trans;
            this.rows = rows;
            this.cols = cols;
            this.ld = ld;
        }

        static Operand of(String name, INDArray x, boolean trans) {
            if (x.rank() != 2 || x.dataType() != DataType.FLOAT) {
                throw new IllegalArgumentException("gemm: " + name + " must be a 2-D float32 array; found rank "
                        + x.rank() + ", " + x.dataType());
            }
            int r = Math.toIntExact(x.size(0)), cl = Math.toIntExact(x.size(1));
            long s0 = x.stride(0), s1 = x.stride(1);
            int opRows = trans ? cl : r, opCols = trans ? r : cl;
            if (s1 == 1 || cl == 1) { // row-major, ld = s0
                return new Operand(x, trans, opRows, opCols, Math.toIntExact(Math.max(s0, cl)));
            }
            if (s0 == 1) { // column-major: stored as the row-major transpose, ld = s1
                return new Operand(x, !trans, opRows, opCols, Math.toIntExact(Math.max(s1, r)));
            }
            throw new IllegalArgumentException("gemm: " + name + " [" + r + ", " + cl + "] has strides [" + s0 + ", " + s1
                    + "]; expected one of them 1 (a row- or column-major view)");
        }

        /** Pointer to element (i, j) of op(X). */
        FloatPointer at(int i, int j) {
            // stored (row, col) of op's (i, j): (i, j) when not transposed, (j, i) when transposed
            long si = trans ? j : i, sj = trans ? i : j;
            // a view's data() is itself offset: its address is the view's first element already
            long offset = array.offset() - array.data().offset() + si * ld + sj;
            return new FloatPointer(array.data().addressPointer()).position(offset);
        }
    }
}
