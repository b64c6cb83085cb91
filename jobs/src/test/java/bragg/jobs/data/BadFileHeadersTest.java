package bragg.jobs.data;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import bragg.jobs.Cli;
import bragg.jobs.UserErrorMessage;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.AccessDeniedException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.Arrays;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Headers that lie about sizes: {@code inspect} exits 2 with one line naming the file, the header
 * field, what was expected and what was found (not an ArithmeticException or "/ by zero").
 */
class BadFileHeadersTest {
    @TempDir
    Path dir;

    /** A .npy v1 (or v2, with a 4-byte length) whose dict is {@code dict}, with {@code data} bytes after it. */
    private Path npy(String name, int major, String dict, int headerLength, int data) throws Exception {
        byte[] d = dict.getBytes(StandardCharsets.ISO_8859_1);
        int pre = major == 1 ? 10 : 12;
        ByteBuffer b = ByteBuffer.allocate(pre + d.length + data).order(ByteOrder.LITTLE_ENDIAN);
        b.put(new byte[] {(byte) 0x93, 'N', 'U', 'M', 'P', 'Y', (byte) major, 0});
        if (major == 1) {
            b.putShort((short) headerLength);
        } else {
            b.putInt(headerLength);
        }
        b.put(d);
        Path p = dir.resolve(name);
        Files.write(p, b.array());
        return p;
    }

    private Path npy(String name, String shape) throws Exception {
        String dict = "{'descr': '<f4', 'fortran_order': False, 'shape': " + shape + ", }\n";
        return npy(name, 1, dict, dict.length(), 4 * 8 * 32 * 32);
    }

    /** One Merlin frame whose header gives these width, height and header-bytes fields. */
    private Path mib(String name, String headerBytes, String width, String height) throws Exception {
        String h = "MQ1,000001," + headerBytes + ",01," + width + "," + height + ",U16,   1x1,00,2026-11-23 10:00:00.000000,0.001,0,0,";
        byte[] frame = new byte[384 + 2 * 8 * 8];
        Arrays.fill(frame, 0, 384, (byte) ' ');
        System.arraycopy(h.getBytes(StandardCharsets.US_ASCII), 0, frame, 0, h.length());
        Path p = dir.resolve(name);
        Files.write(p, frame);
        return p;
    }

    private static void refused(Path file, String... parts) {
        Cli.Result r = Cli.run("inspect", file.toString());
        assertEquals(2, r.code(), "exit code; stderr: " + r.err());
        String line = r.err().strip();
        assertEquals(1, line.lines().count(), "one line: " + line);
        assertTrue(line.contains(file.getFileName().toString()), "names the file: " + line);
        for (String p : parts) {
            assertTrue(line.contains(p), "'" + p + "' in: " + line);
        }
    }

    @Test
    void npyNegativeDimensionIsRefusedByInspect() throws Exception {
        refused(npy("neg.npy", "(-8, 8, 32, 32)"), "'shape'", "dimension 0 is -8", "expected a non-negative integer");
    }

    @Test
    void npyNonIntegerDimensionNamesTheField() throws Exception {
        refused(npy("x.npy", "(4, x, 32, 32)"), "'shape'", "dimension 1 is 'x'", "expected a non-negative integer");
    }

    @Test
    void npyShapeWhoseBytesOverflowALong() throws Exception {
        refused(npy("huge.npy", "(4611686018427387904, 8, 32, 32)"), "'shape'", "[4611686018427387904, 8, 32, 32]",
                "more than " + Long.MAX_VALUE + " bytes");
    }

    @Test
    void npyNegativeHeaderLength() throws Exception {
        String dict = "{'descr': '<f4', 'fortran_order': False, 'shape': (2, 4, 4), }\n";
        refused(npy("len.npy", 2, dict, -5, 128), "header length (bytes 8-11) is -5", "expected 0..");
    }

    @Test
    void merlinZeroOrNegativeFrameSizes() throws Exception {
        refused(mib("zero.mib", "00384", "0000", "0000"), "header field 4 (width) is 0", "expected a positive integer");
        refused(mib("negh.mib", "00384", "0008", "-008"), "header field 5 (height) is -8", "expected a positive integer");
        refused(mib("negb.mib", "-2048", "0008", "0008"), "header field 2 (header bytes) is -2048",
                "expected a positive integer");
    }

    @Test
    void anUnreadableFileSaysPermissionDenied() throws Exception {
        // As the JDK reports it: the exception's message is only the path.
        assertEquals("/data/scan.mib: permission denied (this user may not read or write it)",
                UserErrorMessage.of(new AccessDeniedException("/data/scan.mib")));
    }

    @Test
    void inspectOfAnUnreadableFileSaysPermissionDenied() throws Exception {
        Path p = npy("locked.npy", "(2, 8, 32, 32)");
        Files.setPosixFilePermissions(p, PosixFilePermissions.fromString("---------"));
        Assumptions.assumeFalse(Files.isReadable(p), "running as root: a mode-000 file is still readable");
        refused(p, "permission denied");
    }
}
