package bragg.driver.io;

import java.io.IOException;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * A Merlin .mib file: frames of (header + big-endian pixels). Frame count = file size / frame
 * size; the scan shape is not in the file, so the user gives it (else positions are [frames]).
 */
public final class MibSource implements SampleSource {
    private final ArrayInfo info;
    private final MibHeader header;

    private MibSource(ArrayInfo info, MibHeader header) {
        this.info = info;
        this.header = header;
    }

    public static MibSource open(Path file, OpenOptions opt) throws IOException {
        MibHeader h = MibHeader.read(file);
        long size = Files.size(file);
        long fb = h.frameBytes();
        if (size % fb != 0) {
            throw new IOException(file + ": size " + size + " bytes is not a whole number of Merlin frames of " + fb + " bytes ("
                    + h.headerBytes() + "-byte header + " + h.width() + "x" + h.height() + " " + h.type() + "): " + size / fb
                    + " frames and " + size % fb + " bytes left over (truncated file, or frames of differing size)");
        }
        long frames = size / fb;
        String declared = h.acquisition().get("Frames in Acquisition (Number)");
        Map<String, String> meta = new LinkedHashMap<>();
        meta.put("chips", Integer.toString(h.chips()));
        meta.put("assembly", h.assembly());
        meta.put("frame_header_bytes", Integer.toString(h.headerBytes()));
        meta.put("frames", Long.toString(frames));
        if (h.counterDepth() != null) meta.put("counter_depth", h.counterDepth().toString());
        if (declared != null) meta.put("frames_in_acquisition", declared);
        if (h.raw() != null) meta.put("raw_mode", "R64, counter depth " + h.counterDepth() + (h.chips() == 4 ? ", quad assembled" : ""));
        long[] scan = opt.scan() != null ? opt.scan() : scanFromHdr(h, frames);
        meta.put("scan_from", opt.scan() != null ? "user" : scan != null ? "hdr 'Frames per Trigger (Number)' = scan row length" : "none (frames only; give scan)");
        long[] shape = Shapes.withScan(file.toString(), new long[]{frames}, new int[]{h.height(), h.width()}, scan);
        Shapes.checkDeclared(file.toString(), opt.shape(), shape);
        List<String> axes = new ArrayList<>();
        if (shape.length == 3) axes.add("frame");
        else if (shape.length == 4) { axes.add("scan_y"); axes.add("scan_x"); }
        else for (int i = 0; i < shape.length - 2; i++) axes.add("pos" + i);
        axes.add("k_y");
        axes.add("k_x");
        return new MibSource(new ArrayInfo("mib", file.toString(), shape, 2, h.dtype(),
                h.dtype().size == 1 ? "none" : "big", axes, meta), h);
    }

    /**
     * The .hdr does not store the scan shape; with a line trigger, though, each trigger starts a
     * scan row of 'Frames per Trigger' frames (the rule rosettasciio uses). Null when that says
     * nothing: one frame per trigger, or a frame count that is not whole rows.
     */
    static long[] scanFromHdr(MibHeader h, long frames) {
        String fpt = h.acquisition().get("Frames per Trigger (Number)");
        if (fpt == null) return null;
        long row;
        try {
            row = Long.parseLong(fpt.trim());
        } catch (NumberFormatException e) {
            return null;
        }
        if (row <= 1 || frames % row != 0 || frames == row) return null;
        return new long[]{frames / row, row};
    }

    public MibHeader header() {
        return header;
    }

    @Override
    public ArrayInfo info() {
        return info;
    }


    @Override
    public SlabReader open() throws IOException {
        return new FramedBinaryReader(info.path(), 0, header.headerBytes(), info.sampleSize(), header.dtype(), ByteOrder.BIG_ENDIAN, "MQ1,",
                header.raw());
    }
}
