package bragg.jobs.report;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermission;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.Set;
import java.util.stream.Stream;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Run-folder files: complete or absent, and readable by whoever the umask lets read new files. */
class AtomicFileTest {
    @TempDir
    Path dir;

    @Test
    void theFileHasTheModeOfAnyNewFileOfThisProcess() throws Exception {
        Assumptions.assumeTrue(dir.getFileSystem().supportedFileAttributeViews().contains("posix"), "no POSIX modes");
        Set<PosixFilePermission> umasked = Files.getPosixFilePermissions(Files.createFile(dir.resolve("plain")));
        Path f = AtomicFile.write(dir.resolve("model.zip"), new byte[] {1, 2, 3});
        assertEquals(PosixFilePermissions.toString(umasked), PosixFilePermissions.toString(Files.getPosixFilePermissions(f)),
                "model.zip's mode against a file created plainly here");
        Path again = AtomicFile.write(dir.resolve("model.zip"), "replaced");
        assertEquals(PosixFilePermissions.toString(umasked), PosixFilePermissions.toString(Files.getPosixFilePermissions(again)));
    }

    @Test
    void aFailedWriteLeavesTheOldFileAndNoTemporary() throws Exception {
        Path f = AtomicFile.write(dir.resolve("report.html"), "old");
        assertThrows(IOException.class, () -> AtomicFile.write(f, tmp -> {
            Files.writeString(tmp, "half");
            throw new IOException("disk full");
        }));
        assertEquals("old", Files.readString(f));
        try (Stream<Path> s = Files.list(dir)) {
            assertTrue(s.allMatch(p -> p.equals(f)), "only report.html is left");
        }
    }
}
