package bragg.jobs.train;

import bragg.driver.train.TrainDriver;
import bragg.jobs.report.Json;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.zip.ZipEntry;
import java.util.zip.ZipInputStream;
import java.util.zip.ZipOutputStream;
import org.deeplearning4j.util.ModelSerializer;

/**
 * The trained model file: DL4J's ModelSerializer zip plus one more entry, {@value #PROVENANCE},
 * that says where the model came from (config, seed, data manifest, code version, training
 * facts), as Tribuo's models carry theirs. ModelSerializer ignores entries it does not know, so the
 * file stays a plain DL4J model.
 */
public final class ModelFiles {
    public static final String PROVENANCE = "bragg-provenance.json";

    private ModelFiles() {
    }

    /** {@code zip} with the provenance entry added. */
    static byte[] withProvenance(byte[] zip, Map<String, String> provenance, TrainDriver.Result r) throws IOException {
        Map<String, Object> p = new LinkedHashMap<>(provenance);
        p.put("train.steps", r.steps());
        p.put("train.replicas", r.plan().ranks());
        p.put("train.samples", r.plan().samples());
        p.put("train.attempts", r.attempts());
        p.put("train.failures", r.failures());
        p.put("train.param_hash", Long.toHexString(r.paramHash()));
        ByteArrayOutputStream bo = new ByteArrayOutputStream(zip.length + 4096);
        try (ZipInputStream in = new ZipInputStream(new ByteArrayInputStream(zip));
             ZipOutputStream out = new ZipOutputStream(bo)) {
            for (ZipEntry e; (e = in.getNextEntry()) != null; ) {
                out.putNextEntry(new ZipEntry(e.getName()));
                in.transferTo(out);
                out.closeEntry();
            }
            out.putNextEntry(new ZipEntry(PROVENANCE));
            out.write(Json.write(p).getBytes(StandardCharsets.UTF_8));
            out.closeEntry();
        }
        return bo.toByteArray();
    }

    /** The provenance JSON of a model file, or null when it has none (a model not trained by bragg). */
    public static String provenance(Path model) throws IOException {
        try (InputStream f = Files.newInputStream(model); ZipInputStream in = new ZipInputStream(f)) {
            for (ZipEntry e; (e = in.getNextEntry()) != null; ) {
                if (e.getName().equals(PROVENANCE)) {
                    return new String(in.readAllBytes(), StandardCharsets.UTF_8);
                }
            }
        }
        return null;
    }

    static long parameterCount(byte[] zip) throws IOException {
        return ModelSerializer.restoreComputationGraph(new ByteArrayInputStream(zip), false).numParams();
    }
}
