package bragg.driver.io;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;

/** What a file is, judged by its first bytes (never by its extension). */
public enum FileKind {
    NPY, HDF5, MIB, MIB_HDR, BLO, MRC, ANG, TIFF, PNG, JPEG, BMP, GIF, UNKNOWN;

    public boolean isImage() {
        return this == TIFF || this == PNG || this == JPEG || this == BMP || this == GIF;
    }

    public static FileKind of(Path p) throws IOException {
        // MRC's "MAP " stamp sits at byte 208; an .ang header names its fields within its first lines.
        byte[] b = new byte[PROBE];
        int n;
        try (InputStream in = Files.newInputStream(p)) {
            n = in.readNBytes(b, 0, PROBE);
        }
        return of(b, n);
    }

    static FileKind of(byte[] b, int n) {
        if (n >= 6 && (b[0] & 0xFF) == 0x93 && b[1] == 'N' && b[2] == 'U' && b[3] == 'M' && b[4] == 'P' && b[5] == 'Y') return NPY;
        if (n >= 8 && (b[0] & 0xFF) == 0x89 && b[1] == 'H' && b[2] == 'D' && b[3] == 'F' && b[4] == '\r' && b[5] == '\n') return HDF5;
        if (n >= 4 && b[0] == 'M' && b[1] == 'Q' && b[2] == '1' && b[3] == ',') return MIB;
        if (n >= 4 && b[0] == 'H' && b[1] == 'D' && b[2] == 'R' && b[3] == ',') return MIB_HDR;
        if (n >= 6 && new String(b, 0, 6, StandardCharsets.US_ASCII).equals("IMGBLO")) return BLO;
        if (n >= 1024 && b[208] == 'M' && b[209] == 'A' && b[210] == 'P' && b[211] == ' ') return MRC;
        if (n >= 2 && b[0] == '#' && isAngHeader(new String(b, 0, n, StandardCharsets.ISO_8859_1))) return ANG;
        if (n >= 4 && ((b[0] == 'I' && b[1] == 'I' && b[2] == 42 && b[3] == 0) || (b[0] == 'M' && b[1] == 'M' && b[2] == 0 && b[3] == 42))) return TIFF;
        if (n >= 8 && (b[0] & 0xFF) == 0x89 && b[1] == 'P' && b[2] == 'N' && b[3] == 'G') return PNG;
        if (n >= 3 && (b[0] & 0xFF) == 0xFF && (b[1] & 0xFF) == 0xD8 && (b[2] & 0xFF) == 0xFF) return JPEG;
        if (n >= 2 && b[0] == 'B' && b[1] == 'M') return BMP;
        if (n >= 4 && b[0] == 'G' && b[1] == 'I' && b[2] == 'F' && b[3] == '8') return GIF;
        return UNKNOWN;
    }

    private static final int PROBE = 1024;

    /** EDAX/TSL, EMsoft and orix .ang headers all carry some of these keys in their first lines. */
    private static boolean isAngHeader(String head) {
        return head.contains("# TEM_PIXperUM") || head.contains("# MaterialName") || head.contains("# GRID:") || head.contains("# Phase ");
    }
}
