package bragg.jobs;

import java.nio.file.AccessDeniedException;
import java.nio.file.FileSystemException;
import java.nio.file.NoSuchFileException;
import java.nio.file.NotDirectoryException;

/**
 * The one line a user error prints. The JDK's file errors carry only the path when the OS gave no
 * reason (an unreadable file says just "/data/scan.mib"), so the reason is named from their type.
 */
public final class UserErrorMessage {
    private UserErrorMessage() {
    }

    public static String of(Throwable e) {
        if (e instanceof FileSystemException f && f.getReason() == null) {
            String why = e instanceof AccessDeniedException ? "permission denied (this user may not read or write it)"
                    : e instanceof NoSuchFileException ? "no such file or folder"
                    : e instanceof NotDirectoryException ? "not a folder"
                    : "file system error (" + e.getClass().getSimpleName() + ")";
            String what = f.getFile() == null ? "" : f.getFile();
            return (f.getOtherFile() == null ? what : what + " -> " + f.getOtherFile()) + ": " + why;
        }
        return String.valueOf(e.getMessage());
    }
}
