package bragg.jobs.report;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.UUID;

/**
 * Every file of a run folder is written under a temporary name in its own folder and renamed
 * when complete, so a job that fails half-way leaves the previous file (or none), never half of
 * one. The file gets the mode any other writer of this process would give it (the umask's).
 */
public final class AtomicFile {
    private AtomicFile() {
    }

    /** Writes the temporary file that {@code write} is handed. */
    @FunctionalInterface
    public interface Writer {
        void write(Path tmp) throws IOException;
    }

    /** Creates {@code file}'s folder, lets {@code writer} fill a temporary file there, renames it to {@code file}. */
    public static Path write(Path file, Writer writer) throws IOException {
        Path dir = file.toAbsolutePath().getParent();
        Files.createDirectories(dir);
        // Not Files.createTempFile: it makes the file mode 600 whatever the umask, and the rename
        // keeps that, so colleagues sharing the run folder could not read the results.
        Path tmp = Files.createFile(dir.resolve("." + file.getFileName() + "." + UUID.randomUUID() + ".tmp"));
        try {
            writer.write(tmp);
            Files.move(tmp, file, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
        } finally {
            Files.deleteIfExists(tmp);   // only still there when writing or the rename failed
        }
        return file;
    }

    public static Path write(Path file, byte[] bytes) throws IOException {
        return write(file, tmp -> Files.write(tmp, bytes));
    }

    public static Path write(Path file, CharSequence text) throws IOException {
        return write(file, tmp -> Files.writeString(tmp, text, StandardCharsets.UTF_8));
    }
}
