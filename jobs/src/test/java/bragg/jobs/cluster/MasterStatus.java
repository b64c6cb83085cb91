package bragg.jobs.cluster;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.io.InputStream;
import java.net.HttpURLConnection;
import java.net.URI;

/** What a standalone Master reports at {@code http://host:webui/json/}: its workers and their state. */
record MasterStatus(int aliveWorkers, int cores, String json) {
    private static final ObjectMapper JSON = new ObjectMapper();

    /** Reads the Master's status; an IOException means its web UI is not up (yet). */
    static MasterStatus read(int webUiPort) throws IOException {
        HttpURLConnection c = (HttpURLConnection) URI.create("http://127.0.0.1:" + webUiPort + "/json/").toURL().openConnection();
        c.setConnectTimeout(2000);
        c.setReadTimeout(5000);
        try (InputStream in = c.getInputStream()) {
            String text = new String(in.readAllBytes(), java.nio.charset.StandardCharsets.UTF_8);
            JsonNode n = JSON.readTree(text);
            if (!n.has("aliveworkers")) throw new IOException("master /json/ lacks 'aliveworkers': " + text);
            return new MasterStatus(n.get("aliveworkers").asInt(), n.path("cores").asInt(), text);
        } finally {
            c.disconnect();
        }
    }
}
