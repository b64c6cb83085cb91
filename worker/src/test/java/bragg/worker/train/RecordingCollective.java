package bragg.worker.train;

import bragg.worker.collective.Collective;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;

/**
 * A collective that records the range of every all-reduce ("off+len") before handing it on,
 * counts the calls that returned, and can fail the k-th call: what the overlap tests check the
 * bucket order, the timing against the backward and the error path with.
 */
final class RecordingCollective implements Collective {
    private final Collective inner;
    private final int failAt;   // 0-based call that throws, -1 = none
    private final List<String> calls = new ArrayList<>();
    private int returned;

    RecordingCollective(Collective inner, int failAt) {
        this.inner = inner;
        this.failAt = failAt;
    }

    synchronized List<String> calls() {
        return List.copyOf(calls);
    }

    /** Waits up to {@code millis} until {@code count} calls have returned; says whether they have. */
    synchronized boolean awaitReturned(int count, long millis) throws InterruptedException {
        long deadline = System.currentTimeMillis() + millis;
        while (returned < count) {
            long left = deadline - System.currentTimeMillis();
            if (left <= 0) {
                return false;
            }
            wait(left);
        }
        return true;
    }

    private synchronized void record(int off, int len) throws IOException {
        calls.add(off + "+" + len);
        if (calls.size() - 1 == failAt) {
            throw new IOException("injected failure of call " + failAt);
        }
    }

    private synchronized void returned() {
        returned++;
        notifyAll();
    }

    @Override
    public int rank() {
        return inner.rank();
    }

    @Override
    public int worldSize() {
        return inner.worldSize();
    }

    @Override
    public void allReduce(float[] buf, int off, int len) throws IOException {
        record(off, len);
        inner.allReduce(buf, off, len);
        returned();
    }

    @Override
    public void allReduce(ByteBuffer buf, int off, int len) throws IOException {
        record(off, len);
        inner.allReduce(buf, off, len);
        returned();
    }

    @Override
    public void barrier() throws IOException {
        inner.barrier();
    }

    @Override
    public void close() throws IOException {
        inner.close();
    }
}
