package org.jkn.telemetry.gateway.fhir;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.jkn.telemetry.gateway.GatewayFixture;
import org.jkn.telemetry.gateway.config.ConfigKey;
import org.jkn.telemetry.testing.Poll;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A gateway of its own with a short export expiry and small files: files split at the configured
 * size, an export and its files are deleted once expired, and nothing of an earlier run is kept.
 */
class BulkExportExpiryTest {

    @TempDir static Path dataDir;

    private static GatewayFixture gw;
    private static Path exports;

    @BeforeAll
    static void start() throws Exception {
        exports = dataDir.resolve("exports");
        Path earlier = exports.resolve("0123456789abcdef0123456789abcdef");
        Files.createDirectories(earlier);
        Files.writeString(earlier.resolve("Observation-1.ndjson"), "{}\n");
        Map<ConfigKey, String> config = GatewayFixture.config(dataDir);
        config.put(ConfigKey.EXPORT_DIR, exports.toString());
        config.put(ConfigKey.EXPORT_EXPIRY, "PT2S");
        config.put(ConfigKey.EXPORT_FILE_MAX_RESOURCES, "3");
        gw = GatewayFixture.start(config);
        assertEquals(202, gw.postBatch(GatewayFixture.EXAMPLE).statusCode());
        Poll.until("example stored", () -> gw.observationCount() == 4);
    }

    @AfterAll
    static void stop() {
        if (gw != null) {
            gw.close();
        }
    }

    @Test
    void anExportOfAnEarlierRunIsGone() throws Exception {
        assertFalse(Files.exists(exports.resolve("0123456789abcdef0123456789abcdef")));
        assertEquals(
                404, gw.get("/fhir/$export-status/0123456789abcdef0123456789abcdef").statusCode());
    }

    @Test
    void filesSplitAtTheConfiguredSizeAndAreDeletedOnceExpired() throws Exception {
        ExportClient export = new ExportClient(gw);
        String token = gw.defaultToken();
        String status =
                export.started(
                        "/fhir/Patient/" + gw.patientId() + "/$export?_type=Observation", token);
        JsonObject manifest = export.manifest(status, token);
        JsonArray output = manifest.getJsonArray("output");
        assertEquals(2, output.size(), output.encode());
        assertEquals(3, output.getJsonObject(0).getLong("count"));
        assertEquals(1, output.getJsonObject(1).getLong("count"));
        assertTrue(output.getJsonObject(1).getString("url").endsWith("/Observation-2.ndjson"));
        assertTrue(directories().size() == 1, "the job's files are on disk");

        Poll.until("the export expired", () -> export.status(status, token).statusCode() == 404);
        Poll.until("its files are deleted", () -> directories().isEmpty());
        assertEquals(
                404, export.download(output.getJsonObject(0).getString("url"), token).statusCode());
    }

    private static List<Path> directories() throws Exception {
        try (Stream<Path> s = Files.list(exports)) {
            return s.toList();
        }
    }
}
