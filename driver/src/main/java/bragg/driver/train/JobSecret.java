package bragg.driver.train;

import java.io.Serializable;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.SecureRandom;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;
import org.apache.spark.SparkConf;
import org.apache.spark.SparkEnv;

/**
 * The secret the replicas of one training attempt prove to each other before any gradient moves.
 * With {@code spark.authenticate=true} it is derived on each executor from Spark's own
 * authentication secret (which Spark already distributes securely), so nothing secret travels in
 * the task closure. Otherwise the driver draws 32 random bytes per attempt and they travel in the
 * task closure, readable by whoever can read Spark's RPC traffic: turn on {@code spark.authenticate}
 * (and {@code spark.network.crypto.enabled}) on a shared cluster.
 */
public final class JobSecret implements Serializable {
    private final byte[] drawn;   // null when derived from Spark's secret
    private final String salt;    // the application id and attempt, so attempts never share a key

    private JobSecret(byte[] drawn, String salt) {
        this.drawn = drawn;
        this.salt = salt;
    }

    /** The secret for one attempt of the training stage of {@code conf}'s application. */
    public static JobSecret forAttempt(SparkConf conf, String appId, int attempt) {
        String salt = "bragg-ring|" + appId + "|" + attempt;
        if (conf.getBoolean("spark.authenticate", false)) {
            return new JobSecret(null, salt);
        }
        byte[] b = new byte[32];
        new SecureRandom().nextBytes(b);
        return new JobSecret(b, salt);
    }

    /** Where the secret comes from, for the log (never the secret itself). */
    public String source() {
        return drawn == null ? "derived from spark.authenticate's secret" : "drawn by the driver for this attempt";
    }

    /** The key bytes; call on the executor. */
    public byte[] bytes() {
        if (drawn != null) {
            return drawn.clone();
        }
        SparkEnv env = SparkEnv.get();
        String sparkSecret = env == null ? null : env.securityManager().getSecretKey();
        if (sparkSecret == null || sparkSecret.isEmpty()) {
            throw new IllegalStateException("spark.authenticate is true but this executor has no Spark authentication "
                    + "secret (set spark.authenticate.secret, or run under a cluster manager that distributes one)");
        }
        try {
            Mac mac = Mac.getInstance("HmacSHA256");
            mac.init(new SecretKeySpec(sparkSecret.getBytes(StandardCharsets.UTF_8), "HmacSHA256"));
            return mac.doFinal(salt.getBytes(StandardCharsets.UTF_8));
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("HmacSHA256 is missing from this JVM", e);
        }
    }
}
