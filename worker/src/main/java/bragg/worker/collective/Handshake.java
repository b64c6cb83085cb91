package bragg.worker.collective;

import java.io.DataInputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.MessageDigest;
import java.security.SecureRandom;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

/**
 * Mutual HMAC-SHA256 challenge-response with the job secret, done on every ring connection
 * before any gradient byte moves. The secret itself never crosses the wire.
 * <pre>
 *   server -> client  CHALLENGE  nonceS (32 B)
 *   client -> server  HELLO      rank (4 B) | nonceC (32 B) | HMAC(secret, "hello" | rank | nonceS | nonceC)
 *   server -> client  PROOF      HMAC(secret, "proof" | rank | nonceC | nonceS)
 * </pre>
 * Every message is a {@link Frames} frame of a fixed length, so a garbage or oversize first
 * message is rejected before any allocation the peer chooses.
 */
final class Handshake {
    static final int NONCE = 32;
    static final int MAC = 32;
    private static final SecureRandom RANDOM = new SecureRandom();

    private Handshake() {
    }

    /** Server side; returns normally only when the client proved the secret and is {@code expectedRank}. */
    static void serve(DataInputStream in, OutputStream out, byte[] secret, int expectedRank, String peer)
            throws IOException {
        byte[] nonceS = nonce();
        Frames.write(out, Frames.CHALLENGE, 0, nonceS, NONCE);
        byte[] hello = new byte[4 + NONCE + MAC];
        Frames.read(in, Frames.HELLO, 0, hello, hello.length, peer);
        ByteBuffer b = ByteBuffer.wrap(hello);
        int rank = b.getInt();
        byte[] nonceC = new byte[NONCE];
        b.get(nonceC);
        byte[] mac = new byte[MAC];
        b.get(mac);
        if (!MessageDigest.isEqual(mac, hmac(secret, "hello", rank, nonceS, nonceC))) {
            throw new FrameException("from " + peer + ": HMAC does not match the job secret (wrong secret or not a bragg peer)");
        }
        if (rank != expectedRank) {
            throw new FrameException("from " + peer + ": authenticated as rank " + rank + ", expected rank " + expectedRank);
        }
        Frames.write(out, Frames.PROOF, 0, hmac(secret, "proof", rank, nonceC, nonceS), MAC);
    }

    /** Client side; returns normally only when the server proved the secret too. */
    static void connect(DataInputStream in, OutputStream out, byte[] secret, int myRank, String peer)
            throws IOException {
        byte[] nonceS = new byte[NONCE];
        Frames.read(in, Frames.CHALLENGE, 0, nonceS, NONCE, peer);
        byte[] nonceC = nonce();
        byte[] hello = ByteBuffer.allocate(4 + NONCE + MAC).putInt(myRank).put(nonceC)
                .put(hmac(secret, "hello", myRank, nonceS, nonceC)).array();
        Frames.write(out, Frames.HELLO, 0, hello, hello.length);
        byte[] proof = new byte[MAC];
        Frames.read(in, Frames.PROOF, 0, proof, MAC, peer);
        if (!MessageDigest.isEqual(proof, hmac(secret, "proof", myRank, nonceC, nonceS))) {
            throw new FrameException("from " + peer + ": server's HMAC does not match the job secret");
        }
    }

    static byte[] hmac(byte[] secret, String label, int rank, byte[] a, byte[] b) {
        try {
            Mac mac = Mac.getInstance("HmacSHA256");
            mac.init(new SecretKeySpec(secret, "HmacSHA256"));
            mac.update(label.getBytes(StandardCharsets.US_ASCII));
            mac.update(ByteBuffer.allocate(4).putInt(rank).array());
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
