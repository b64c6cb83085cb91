package bragg.jobs.data;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import bragg.driver.io.DType;
import bragg.driver.io.NpyWriter;
import bragg.jobs.Cli;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code bragg inspect}: the printed facts and the last-line JSON, on generated and real files. */
class InspectCommandTest {
    @TempDir
    Path dir;

    static JsonNode inspect(String... args) throws Exception {
        String[] all = new String[args.length + 1];
        all[0] = "inspect";
        System.arraycopy(args, 0, all, 1, args.length);
        Cli.Result r = Cli.run(all);
        assertEquals(0, r.code(), r.err());
        assertTrue(r.out().contains("format") && r.out().contains("NaN count"), r.out());
        return new ObjectMapper().readTree(r.lastLine());
    }

    static List<Long> shape(JsonNode j) {
        return java.util.stream.StreamSupport.stream(j.get("shape").spliterator(), false).map(JsonNode::asLong).toList();
    }

    @Test
    void npyWithNanGivesStatsOfTheFiniteValuesAndCountsTheNan() throws Exception {
        float[] v = new float[2 * 3 * 4];
        for (int i = 0; i < v.length; i++) v[i] = i - 5;
        v[7] = Float.NaN;
        Path f = dir.resolve("frames.bin");     // misleading name: the format comes from the content
        NpyWriter.write(f, DType.F32, new long[]{2, 3, 4}, v);
        JsonNode j = inspect(f.toString());
        assertEquals("npy", j.get("format").asText());
        assertEquals(List.of(2L, 3L, 4L), shape(j));
        assertEquals("f32", j.get("dtype").asText());
        assertEquals(-5, j.get("min").asDouble());
        assertEquals(18, j.get("max").asDouble());
        double sum = 0;
        for (int i = 0; i < v.length; i++) if (i != 7) sum += v[i];
        assertEquals(sum, j.get("sum").asDouble());
        assertEquals(1, j.get("nan_count").asLong());
    }

    @Test
    void generatedEmdScanShowsAxesWithUnits() throws Exception {
        Cli.Result g = Cli.run("generate", "4dstem", "--out", dir.resolve("g").toString(), "--scan", "3,2", "--detector", "16",
                "--format", "emd", "--threads", "1");
        assertEquals(0, g.code(), g.err());
        JsonNode j = inspect(dir.resolve("g/scan.h5").toString());
        assertEquals("hdf5/emd1", j.get("format").asText());
        assertEquals(List.of(3L, 2L, 16L, 16L), shape(j));
        assertEquals("u16", j.get("dtype").asText());
        assertEquals("scan_y [pixels]", j.get("axes").get(0).asText());
        assertEquals(0, j.get("nan_count").asLong());
        assertTrue(j.get("sum").asDouble() > 0);
    }

    @Test
    void rawWithoutShapeIsABadInputNamingTheFile() throws Exception {
        Path f = dir.resolve("dump.raw");
        Files.write(f, new byte[100]);
        Cli.Result r = Cli.run("inspect", f.toString());
        assertEquals(2, r.code());
        assertTrue(r.err().contains("dump.raw") && r.err().contains("give shape and dtype"), r.err());
        JsonNode j = inspect(f.toString(), "--shape", "2,5,5", "--input-dtype", "u16", "--byte-order", "big");
        assertEquals("raw", j.get("format").asText());
        assertEquals(0, j.get("max").asDouble());
    }

    /** A real sample under ../shared/data/real (the same rule as the driver's RealData); skips when absent. */
    static Path real(String rel) {
        String shared = System.getProperty("bragg.shared.dir");
        assumeTrue(shared != null, "system property bragg.shared.dir not set: real-data test skipped");
        Path p = Path.of(shared, "data", "real", rel);
        assumeTrue(Files.exists(p), p + " absent: real-data test skipped");
        return p;
    }

    @Test
    void realMerlinAndFpdFilesMatchTheirSourceFacts() throws Exception {
        JsonNode mib = inspect(real("4dstem-merlin-mib/001_4x2_6bit.mib").toString(), "--scan", "2,4");
        assertEquals("mib", mib.get("format").asText());
        assertEquals(List.of(2L, 4L, 256L, 256L), shape(mib));
        assertEquals("u8", mib.get("dtype").asText());
        assertEquals(0, mib.get("min").asLong());
        assertEquals(63, mib.get("max").asLong());
        assertEquals(3623664, mib.get("sum").asLong());
        JsonNode fpd = inspect(real("4dstem-fpd-merlin-hdf5/fpd_file_test.hdf5").toString());
        assertEquals("hdf5/fpd", fpd.get("format").asText());
        assertEquals(List.of(2L, 2L, 256L, 256L), shape(fpd));
        assertEquals("big", fpd.get("byte_order").asText());
        assertEquals(3493, fpd.get("max").asLong());
        assertEquals(3288875, fpd.get("sum").asLong());
        JsonNode ebsd = inspect(real("ebsd-ni-kikuchipy/patterns.h5").toString());
        assertEquals("hdf5/h5ebsd", ebsd.get("format").asText());
        assertEquals(List.of(3L, 3L, 60L, 60L), shape(ebsd));
        assertEquals(23, ebsd.get("min").asLong());
        assertEquals(246, ebsd.get("max").asLong());
        assertEquals(4732574, ebsd.get("sum").asLong());
    }

    @Test
    void angMapShowsItsGridPhasesAndFields() throws Exception {
        Path f = dir.resolve("ebsd.txt");
        StringBuilder s = new StringBuilder("# TEM_PIXperUM 1.0\n# Phase 1\n# MaterialName Iron\n# Symmetry 43\n"
                + "# LatticeConstants 2.87 2.87 2.87 90 90 90\n# GRID: SqrGrid\n# XSTEP: 0.5\n# YSTEP: 0.5\n"
                + "# NCOLS_ODD: 3\n# NCOLS_EVEN: 3\n# NROWS: 2\n#\n");
        for (int i = 0; i < 6; i++) s.append("0.1 0.2 0.3 ").append(0.5 * (i % 3)).append(' ').append(0.5 * (i / 3)).append(' ').append(50 + i).append(" 0.9 1\n");
        Files.writeString(f, s.toString());
        JsonNode j = inspect(f.toString());
        assertEquals("ang", j.get("format").asText());
        assertEquals(List.of(1L, 6L, 2L, 3L), shape(j));
        assertEquals("y [um]", j.get("axes").get(2).asText());
        assertEquals("SqrGrid", j.get("metadata").get("grid").asText());
        assertEquals("phi1,Phi,phi2,iq,ci,phase_id", j.get("metadata").get("fields").asText());
        assertTrue(j.get("metadata").get("phases").asText().startsWith("1:Iron symmetry 43"), j.toString());
        assertEquals(55, j.get("max").asDouble());      // the largest IQ
    }

    @Test
    void rgbaImageShowsFourChannels() throws Exception {
        java.awt.image.BufferedImage img = new java.awt.image.BufferedImage(3, 2, java.awt.image.BufferedImage.TYPE_4BYTE_ABGR);
        img.setRGB(1, 1, 0x80FF0000);
        Path f = dir.resolve("rgba.png");
        javax.imageio.ImageIO.write(img, "png", f.toFile());
        JsonNode j = inspect(f.toString());
        assertEquals(List.of(1L, 4L, 2L, 3L), shape(j));
        assertEquals("u8", j.get("dtype").asText());
        assertEquals("4", j.get("metadata").get("stored_channels").asText());
        assertEquals(255, j.get("max").asDouble());
    }
}
