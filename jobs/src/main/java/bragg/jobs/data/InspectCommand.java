package bragg.jobs.data;

import bragg.driver.io.ArrayInfo;
import bragg.driver.io.ArrayStats;
import bragg.driver.io.SampleSource;
import bragg.driver.io.Sources;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Parameters;

/**
 * {@code bragg inspect <file>}: what a file holds, before a config is written. Detects the
 * format by content, prints shape, dtype, byte order, axes, metadata and value statistics
 * (reading the data locally, slab by slab), and ends with one JSON line.
 */
@Command(name = "inspect", mixinStandardHelpOptions = true,
        description = "Detect a file's format by content and print its shape, dtype, axes and statistics; last line JSON.")
public final class InspectCommand implements Callable<Integer> {
    @Parameters(index = "0", description = "file or folder (.mib/.hdr, HDF5 incl. .hspy, .npy, NanoMegas .blo, MRC, EDAX .ang, raw, TIFF/PNG/JPEG/BMP, image folder)")
    Path input;

    @Mixin
    InputOptions open;

    @Override
    public Integer call() throws Exception {
        SampleSource src = Sources.open(input, open.toOpenOptions());
        ArrayInfo i = src.info();
        System.out.println("file        " + i.path());
        System.out.println("format      " + i.format());
        System.out.println("shape       " + Arrays.toString(i.shape()) + "  (" + i.sampleCount() + " samples of " + Arrays.toString(i.sampleShape()) + ")");
        System.out.println("dtype       " + i.dtype().label());
        System.out.println("byte order  " + i.byteOrder());
        System.out.println("axes        " + String.join(", ", i.axes()));
        i.metadata().forEach((k, v) -> System.out.println("  " + k + " = " + v));
        if (!src.labelNames().isEmpty()) System.out.println("classes     " + src.labelNames());
        ArrayStats st = ArrayStats.of(src);
        System.out.println("min         " + ArrayStats.num(st.min));
        System.out.println("max         " + ArrayStats.num(st.max));
        System.out.println("sum         " + ArrayStats.num(st.sum));
        System.out.println("NaN count   " + st.nanCount + ", Inf count " + st.infCount);
        Map<String, Object> json = new LinkedHashMap<>();
        json.put("format", i.format());
        json.put("shape", i.shape());
        json.put("dtype", i.dtype().label());
        json.put("byte_order", i.byteOrder());
        json.put("axes", i.axes());
        json.put("metadata", new java.util.TreeMap<>(i.metadata()));
        json.put("min", finite(st.min));
        json.put("max", finite(st.max));
        json.put("sum", st.sum == Math.rint(st.sum) && Math.abs(st.sum) < 1e15 ? (Object) (long) st.sum : st.sum);
        json.put("nan_count", st.nanCount);
        json.put("inf_count", st.infCount);
        System.out.println(new ObjectMapper().writeValueAsString(json));
        return 0;
    }

    private static Object finite(double v) {
        if (Double.isInfinite(v)) return null;
        return v == Math.rint(v) ? (Object) (long) v : v;
    }
}
