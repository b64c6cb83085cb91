package bragg.driver.io;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * The first frame header of a Quantum Detectors Merlin .mib file: ASCII, comma separated,
 * "MQ1,frame,header bytes,chips,width,height,type,assembly,...", padded to header bytes;
 * pixels follow big-endian, row-major. Type U08 holds counter depths 1 and 6, U16 depth 12,
 * U32 depth 24. R64 (raw mode: the chips' readout, see {@link MibRaw}) needs the counter depth from
 * the header's MQ1A extension or the .hdr file.
 * The optional 2048-byte .hdr text file next to it gives acquisition metadata.
 */
public record MibHeader(int headerBytes, int chips, int width, int height, DType dtype, String type, String assembly,
                        Integer counterDepth, Map<String, String> acquisition) implements java.io.Serializable {

    public static MibHeader read(Path mib) throws IOException {
        byte[] head = new byte[Math.toIntExact(Math.min(Files.size(mib), 1024))];
        try (FileChannel ch = FileChannel.open(mib, StandardOpenOption.READ)) {
            ch.read(ByteBuffer.wrap(head), 0);
        }
        String text = new String(head, StandardCharsets.ISO_8859_1);
        if (!text.startsWith("MQ1,")) {
            throw new IOException(mib + ": byte 0 does not start a Merlin frame header 'MQ1,' (found '"
                    + text.substring(0, Math.min(8, text.length())).replaceAll("[^ -~]", "?") + "')");
        }
        String[] f = text.split(",", 12);
        if (f.length < 8) throw new IOException(mib + ": Merlin frame header has " + f.length + " fields, expected at least 8");
        int hb = positive(mib, f, 2, "header bytes");
        int chips = positive(mib, f, 3, "number of chips");
        int w = positive(mib, f, 4, "width");
        int h = positive(mib, f, 5, "height");
        String type = f[6].trim();
        DType dt = switch (type) {
            case "U08" -> DType.U8;
            case "U16" -> DType.U16;
            case "U32" -> DType.U32;
            case "R64" -> null;     // from the counter depth, below
            default -> throw new IOException(mib + ": Merlin pixel type '" + type + "' in header field 6 is not U08, U16, U32 or R64");
        };
        Map<String, String> acq = readHdr(mib);
        Integer depth = null;
        String d = acq.get("Counter Depth (number)");
        if (d != null) {
            try {
                depth = Integer.parseInt(d.trim());
            } catch (NumberFormatException e) {
                throw new IOException(readHdrPath(mib) + ": 'Counter Depth (number)' is '" + d + "', expected 1, 6, 12 or 24");
            }
        }
        else {
            // MQ1A extension (newer software) ends with "...,<depth>,": take it when present.
            int i = text.indexOf("MQ1A,");
            if (i >= 0) {
                String[] ext = text.substring(i).split(",");
                if (ext.length > 3) {
                    try { depth = Integer.parseInt(ext[3].trim()); } catch (NumberFormatException ignored) { depth = null; }
                }
            }
        }
        if (dt == null) {
            if (depth == null) {
                throw new IOException(mib + ": Merlin raw frames (type R64 in header field 6) need the counter depth, but neither the "
                        + "frame header's MQ1A extension nor a .hdr file ('Counter Depth (number)') gives it");
            }
            // 24-bit raw frames carry two 12-bit planes side by side: the width field counts both.
            int fw = depth == 24 ? w / 2 : w;
            MibRaw raw;
            try {
                raw = new MibRaw(depth, chips == 4, h, fw);
            } catch (IllegalArgumentException e) {
                throw new IllegalArgumentException(mib + ": " + e.getMessage(), e);
            }
            return new MibHeader(hb, chips, fw, h, raw.dtype(), type, f[7].trim(), depth, acq);
        }
        return new MibHeader(hb, chips, w, h, dt, type, f[7].trim(), depth, acq);
    }

    /** Field i of the frame header, which sizes frames and so must be a positive integer. */
    private static int positive(Path mib, String[] f, int i, String what) throws IOException {
        int v;
        try {
            v = Integer.parseInt(f[i].trim());
        } catch (NumberFormatException e) {
            throw new IOException(mib + ": Merlin header field " + i + " (" + what + ") is '" + f[i] + "', expected a positive integer");
        }
        if (v <= 0) {
            throw new IOException(mib + ": Merlin header field " + i + " (" + what + ") is " + v + ", expected a positive integer");
        }
        return v;
    }

    /** The .hdr acquisition header (same name, .hdr) as key -> value, or empty when absent. */
    static Map<String, String> readHdr(Path mib) throws IOException {
        Path hdr = readHdrPath(mib);
        Map<String, String> m = new LinkedHashMap<>();
        if (!Files.isRegularFile(hdr)) return m;
        for (String line : new String(Files.readAllBytes(hdr), StandardCharsets.ISO_8859_1).split("\r?\n")) {
            int tab = line.indexOf(":\t");
            if (tab > 0) m.put(line.substring(0, tab).trim(), line.substring(tab + 2).replace("\0", "").trim());
        }
        return m;
    }

    private static Path readHdrPath(Path mib) {
        String name = mib.getFileName().toString();
        return mib.resolveSibling(name.substring(0, name.length() - (name.toLowerCase().endsWith(".mib") ? 4 : 0)) + ".hdr");
    }

    /** The raw-mode decoder (type R64), or null for assembled frames (U08/U16/U32). */
    public MibRaw raw() {
        return type.equals("R64") ? new MibRaw(counterDepth, chips == 4, height, width) : null;
    }

    /** Bytes per frame: header plus pixels. */
    public long frameBytes() {
        MibRaw r = raw();
        return headerBytes + (r != null ? r.dataBytes() : (long) width * height * dtype.size);
    }
}
