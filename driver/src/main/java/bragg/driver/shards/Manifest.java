package bragg.driver.shards;

import com.fasterxml.jackson.core.type.TypeReference;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import java.io.IOException;
import java.io.Serializable;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * {@code manifest.json} of a shard folder: what every Parquet row's pattern is (shape, dtype),
 * how many rows, the labels, the normalization applied, and the source files with checksums.
 * Keys are snake_case as in the Shards contract; {@code extra} carries the job's provenance
 * (transform options, statistics, code version) and round-trips unchanged.
 *
 * @param sampleShape   [C, H, W] of one pattern
 * @param dtype         "float32" or "float16" (little-endian) of the pattern bytes
 * @param countsPerLabel label name -> rows with that label ("none" for label -1)
 * @param normalization how patterns were normalised, e.g. {"method":"global","mean":..,"std":..}
 */
public record Manifest(int formatVersion, String kind, int[] sampleShape, String dtype, long count,
                       List<String> labelNames, Map<String, Long> countsPerLabel, Map<String, Object> normalization,
                       List<Source> sources, Map<String, Object> extra) implements Serializable {

    public static final String FILE = "manifest.json";
    private static final ObjectMapper JSON = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);

    /** One input file and its SHA-256 (hex). */
    public record Source(String path, String sha256) implements Serializable {
    }

    public Manifest {
        if (formatVersion != 1) throw new IllegalArgumentException("manifest format_version " + formatVersion + " is not supported (expected 1)");
        if (!"4dstem".equals(kind) && !"lpbf".equals(kind)) throw new IllegalArgumentException("manifest kind must be '4dstem' or 'lpbf', got '" + kind + "'");
        if (sampleShape == null || sampleShape.length != 3 || Arrays.stream(sampleShape).anyMatch(d -> d <= 0)) {
            throw new IllegalArgumentException("manifest sample_shape must be [C, H, W] with every axis > 0, got " + Arrays.toString(sampleShape));
        }
        if (!"float32".equals(dtype) && !"float16".equals(dtype)) throw new IllegalArgumentException("manifest dtype must be 'float32' or 'float16', got '" + dtype + "'");
        if (count < 0) throw new IllegalArgumentException("manifest count must be >= 0, got " + count);
        labelNames = List.copyOf(labelNames);
        countsPerLabel = Map.copyOf(new LinkedHashMap<>(countsPerLabel));
        normalization = new LinkedHashMap<>(normalization);
        sources = List.copyOf(sources);
        extra = new LinkedHashMap<>(extra);
    }

    /** Elements in one pattern. */
    public int sampleSize() {
        return sampleShape[0] * sampleShape[1] * sampleShape[2];
    }

    /** Bytes of one pattern in the Parquet column. */
    public int patternBytes() {
        return sampleSize() * ("float16".equals(dtype) ? 2 : 4);
    }

    public String toJson() {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("format_version", formatVersion);
        m.put("kind", kind);
        m.put("sample_shape", sampleShape);
        m.put("dtype", dtype);
        m.put("count", count);
        m.put("label_names", labelNames);
        m.put("counts_per_label", new java.util.TreeMap<>(countsPerLabel));
        m.put("normalization", normalization);
        List<Map<String, String>> src = new ArrayList<>();
        for (Source s : sources) src.add(Map.of("path", s.path(), "sha256", s.sha256()));
        m.put("sources", src);
        m.putAll(extra);
        try {
            return JSON.writeValueAsString(m);
        } catch (IOException e) {
            throw new IllegalStateException("manifest not serialisable: " + e.getMessage(), e);
        }
    }

    @SuppressWarnings("unchecked")
    public static Manifest fromJson(String json, String where) {
        Map<String, Object> m;
        try {
            m = JSON.readValue(json, new TypeReference<LinkedHashMap<String, Object>>() { });
        } catch (IOException e) {
            throw new IllegalArgumentException(where + ": not valid JSON: " + e.getMessage(), e);
        }
        for (String k : new String[]{"format_version", "kind", "sample_shape", "dtype", "count"}) {
            if (!m.containsKey(k)) throw new IllegalArgumentException(where + ": manifest lacks key '" + k + "'");
        }
        try {
            int[] shape = ((List<Number>) m.remove("sample_shape")).stream().mapToInt(Number::intValue).toArray();
            List<Source> src = new ArrayList<>();
            for (Map<String, String> s : (List<Map<String, String>>) m.getOrDefault("sources", List.of())) src.add(new Source(s.get("path"), s.get("sha256")));
            m.remove("sources");
            Map<String, Long> counts = new LinkedHashMap<>();
            ((Map<String, Number>) m.getOrDefault("counts_per_label", Map.of())).forEach((k, v) -> counts.put(k, v.longValue()));
            m.remove("counts_per_label");
            Manifest out = new Manifest(((Number) m.remove("format_version")).intValue(), (String) m.remove("kind"), shape,
                    (String) m.remove("dtype"), ((Number) m.remove("count")).longValue(),
                    (List<String>) m.getOrDefault("label_names", List.of()), counts,
                    (Map<String, Object>) m.getOrDefault("normalization", Map.of()), src, Map.of());
            m.remove("label_names");
            m.remove("normalization");
            return out.withExtra(m);
        } catch (ClassCastException e) {
            throw new IllegalArgumentException(where + ": manifest key has the wrong JSON type: " + e.getMessage(), e);
        }
    }

    public Manifest withExtra(Map<String, Object> more) {
        Map<String, Object> e = new LinkedHashMap<>(extra);
        e.putAll(more);
        return new Manifest(formatVersion, kind, sampleShape, dtype, count, labelNames, countsPerLabel, normalization, sources, e);
    }
}
