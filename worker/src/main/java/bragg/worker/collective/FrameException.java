package bragg.worker.collective;

import java.io.IOException;

/** A peer sent something that is not a valid frame (bad magic, wrong kind, oversize length, bad checksum). */
public class FrameException extends IOException {
    public FrameException(String message) {
        super(message);
    }
}
