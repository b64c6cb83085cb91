package bragg.worker.collective;

import java.io.DataInputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.MessageDigest;
import java.security.SecureRandom;
import java.util.Arrays;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

/**
 * Mutual HMAC-SHA256 challenge-response with the job secret, done on every ring connection
 * before any gradient byte moves. The secret itself never crosses the wire.
 * <pre>
 *   server -> client  CHALLENGE  nonceS (32 B) | compression (1 B)
 *   client -> server  HELLO      rank (4 B) | compression (1 B) | nonceC (32 B)
 *                                | HMAC(secret, "hello" | rank | compression | nonceS | nonceC)
 *   server -> client  PROOF      HMAC(secret, "proof" | rank | compression | nonceC | nonceS)
 * </pre>
 * Both sides state their wire {@link Compression} here, so two ranks that disagree on
 * bragg.train.compression both fail at the handshake, naming the key, instead of one of them
 * failing on the first gradient frame and the other on whatever the closed socket gives it.
 * Every message is a {@link Frames} frame of a fixed length, so a garbage or oversize first
 * message is rejected before any allocation the peer chooses.
 */
final class Handshake {
    static final int NONCE = 32;
    static final int MAC = 32;
    private static final SecureRandom RANDOM = new SecureRandom();

    private Handshake() {
    }

    /** Bytes of the CHALLENGE payload. */
    static final int CHALLENGE_BYTES = NONCE + 1;
    /** Bytes of the HELLO payload. */
    static final int HELLO_BYTES = 4 + 1 + NONCE + MAC;

    /**
     * Server side; returns normally only when the client proved the secret, is {@code expectedRank}
     * and puts gradients on the wire as {@code mine} does.
     *
     * @throws IncompatiblePeerException the real peer (it proved the secret) uses another compression
     * @throws IOException               anything else: a stranger, a wrong secret, garbage or silence
     */
    static void serve(DataInputStream in, OutputStream out, byte[] secret, int expectedRank, Compression mine,
                      String peer) throws IOException {
        byte[] nonceS = nonce();
        byte[] challenge = ByteBuffer.allocate(CHALLENGE_BYTES).put(nonceS).put((byte) mine.ordinal()).array();
        Frames.write(out, Frames.CHALLENGE, 0, challenge, CHALLENGE_BYTES);
        byte[] hello = new byte[HELLO_BYTES];
        Frames.read(in, Frames.HELLO, 0, hello, hello.length, peer);
        ByteBuffer b = ByteBuffer.wrap(hello);
        int rank = b.getInt();
        byte theirs = b.get();
        byte[] nonceC = new byte[NONCE];
        b.get(nonceC);
        byte[] mac = new byte[MAC];
        b.get(mac);
        if (!MessageDigest.isEqual(mac, hmac(secret, "hello", rank, theirs, nonceS, nonceC))) {
            throw new FrameException("from " + peer + ": HMAC does not match the job secret (wrong secret or not a bragg peer)");
        }
        if (rank != expectedRank) {
            throw new FrameException("from " + peer + ": authenticated as rank " + rank + ", expected rank " + expectedRank);
        }
        if (theirs != mine.ordinal()) {
            throw new IncompatiblePeerException(mismatch(peer, mine, theirs));
        }
        Frames.write(out, Frames.PROOF, 0, hmac(secret, "proof", rank, theirs, nonceC, nonceS), MAC);
    }

    /**
     * Client side; returns normally only when the server proved the secret too and uses the same
     * compression. The HELLO goes out before the compression is compared, so the server learns of
     * the mismatch from the peer itself and fails naming it too.
     */
    static void connect(DataInputStream in, OutputStream out, byte[] secret, int myRank, Compression mine,
                        String peer) throws IOException {
        byte[] challenge = new byte[CHALLENGE_BYTES];
        Frames.read(in, Frames.CHALLENGE, 0, challenge, CHALLENGE_BYTES, peer);
        byte[] nonceS = Arrays.copyOf(challenge, NONCE);
        byte theirs = challenge[NONCE];
        byte[] nonceC = nonce();
        byte me = (byte) mine.ordinal();
        byte[] hello = ByteBuffer.allocate(HELLO_BYTES).putInt(myRank).put(me).put(nonceC)
                .put(hmac(secret, "hello", myRank, me, nonceS, nonceC)).array();
        Frames.write(out, Frames.HELLO, 0, hello, hello.length);
        if (theirs != me) {
            throw new IncompatiblePeerException(mismatch(peer, mine, theirs));
        }
        byte[] proof = new byte[MAC];
        Frames.read(in, Frames.PROOF, 0, proof, MAC, peer);
        if (!MessageDigest.isEqual(proof, hmac(secret, "proof", myRank, me, nonceC, nonceS))) {
            throw new FrameException("from " + peer + ": server's HMAC does not match the job secret");
        }
    }

    private static String mismatch(String peer, Compression mine, byte theirs) {
        Compression[] all = Compression.values();
        String other = theirs >= 0 && theirs < all.length ? all[theirs].toString() : "unknown code " + theirs;
        return "with " + peer + ": bragg.train.compression differs between the ranks (this rank: " + mine
                + ", the peer: " + other + "); every rank of a job must use the same value";
    }

    static byte[] hmac(byte[] secret, String label, int rank, byte compression, byte[] a, byte[] b) {
        try {
            Mac mac = Mac.getInstance("HmacSHA256");
            mac.init(new SecretKeySpec(secret, "HmacSHA256"));
            mac.update(label.getBytes(StandardCharsets.US_ASCII));
            mac.update(ByteBuffer.allocate(5).putInt(rank).put(compression).array());
            mac.update(a);
            mac.update(b);
            return mac.doFinal();
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("HmacSHA256 is not available in this JVM", e);
        }
    }

    private static byte[] nonce() {
        byte[] n = new byte[NONCE];
        RANDOM.nextBytes(n);
        return n;
    }
}
