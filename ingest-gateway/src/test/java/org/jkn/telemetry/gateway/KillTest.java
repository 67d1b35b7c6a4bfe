package org.jkn.telemetry.gateway;

import static org.jkn.telemetry.gateway.GatewayFixture.json;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.vertx.core.json.JsonArray;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.jkn.telemetry.gateway.auth.dev.DevTokens;
import org.jkn.telemetry.gateway.config.ConfigKey;
import org.jkn.telemetry.testing.Poll;
import org.jkn.telemetry.testing.Ports;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The service as a separate process, killed with SIGKILL right after acknowledging batches, then
 * started again on the same data directory (embedded database included): every acknowledged reading
 * is there, each exactly once.
 */
class KillTest {

    private static final int BATCHES = 20;
    private static final int PER_BATCH = 50;

    @TempDir Path dir;
    private final HttpClient http =
            HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();

    @Test
    void acknowledgedReadingsSurviveKillNine() throws Exception {
        int port = Ports.free();
        GatewayProcess first = startService(port);
        Set<String> acknowledged = new HashSet<>();
        try {
            String token = patientToken();
            HttpResponse<String> consent =
                    http.send(
                            HttpRequest.newBuilder(
                                            URI.create(
                                                    "http://127.0.0.1:" + port + "/fhir/Consent"))
                                    .header("Content-Type", "application/fhir+json")
                                    .header("Authorization", "Bearer " + token)
                                    .POST(
                                            HttpRequest.BodyPublishers.ofString(
                                                    Consents.collectEverything(
                                                                    GatewayFixture.PATIENT_ID)
                                                            .encode()))
                                    .build(),
                            HttpResponse.BodyHandlers.ofString());
            assertEquals(201, consent.statusCode(), consent.body());
            for (int b = 0; b < BATCHES; b++) {
                StringBuilder readings = new StringBuilder();
                List<String> ids = new ArrayList<>();
                for (int i = 0; i < PER_BATCH; i++) {
                    String id = "k" + b + "-" + i;
                    ids.add(id);
                    readings.append(i == 0 ? "" : ",")
                            .append("{\"id\":\"")
                            .append(id)
                            .append("\",\"type\":\"heart_rate\",\"time\":\"2026-11-22T08:")
                            .append(String.format("%02d:%02d", b, i))
                            .append("+07:00\",\"value\":")
                            .append(60 + i)
                            .append('}');
                }
                String body =
                        "{\"patient\":\""
                                + GatewayFixture.NIK
                                + "\",\"device\":{\"id\":\"kill-dev\"},\"readings\":["
                                + readings
                                + "]}";
                HttpResponse<String> r =
                        http.send(
                                HttpRequest.newBuilder(
                                                URI.create(
                                                        "http://127.0.0.1:"
                                                                + port
                                                                + "/v1/readings"))
                                        .header("Content-Type", "application/json")
                                        .header("Authorization", "Bearer " + token)
                                        .POST(HttpRequest.BodyPublishers.ofString(body))
                                        .build(),
                                HttpResponse.BodyHandlers.ofString());
                if (r.statusCode() == 202) {
                    assertEquals(PER_BATCH, json(r).getInteger("accepted"));
                    acknowledged.addAll(ids);
                }
            }
        } finally {
            first.kill(); // SIGKILL: no shutdown hook, no clean close of journal or database
        }
        assertEquals(BATCHES * PER_BATCH, acknowledged.size());

        try (GatewayProcess second = startService(port)) {
            String token = patientToken();
            Poll.until(
                    "every acknowledged reading is stored",
                    Duration.ofSeconds(30),
                    () -> {
                        JsonArray found = observations(port, token);
                        return found != null && found.size() >= acknowledged.size();
                    });
            JsonArray entries = observations(port, token);
            assertTrue(entries != null);
            Set<String> stored = new HashSet<>();
            for (int i = 0; i < entries.size(); i++) {
                stored.add(entries.getJsonObject(i).getJsonObject("resource").getString("id"));
            }
            assertEquals(acknowledged.size(), entries.size(), "lost or duplicated readings");
            assertEquals(entries.size(), stored.size(), "duplicate observation ids");
        }
    }

    private JsonArray observations(int port, String token) throws Exception {
        HttpResponse<String> r =
                http.send(
                        HttpRequest.newBuilder(
                                        URI.create(
                                                "http://127.0.0.1:"
                                                        + port
                                                        + "/fhir/Observation?patient="
                                                        + GatewayFixture.PATIENT_ID
                                                        + "&_count=1000&_offset=0"))
                                .header("Authorization", "Bearer " + token)
                                .build(),
                        HttpResponse.BodyHandlers.ofString());
        return json(r).getJsonArray("entry");
    }

    /**
     * A token the service trusts: minted with the development key it generated in its data
     * directory.
     */
    private String patientToken() throws Exception {
        return GatewayFixture.devTokens(dir)
                .patient(
                        GatewayFixture.PATIENT_ID, DevTokens.PATIENT_SCOPES, DevTokens.DEFAULT_TTL);
    }

    /** The service on this port over the test's data directory, healthy. */
    private GatewayProcess startService(int port) throws Exception {
        Map<ConfigKey, String> config = GatewayFixture.config(dir);
        config.put(ConfigKey.HTTP_PORT, Integer.toString(port));
        config.remove(ConfigKey.KEK); // the dev profile generates one in the data directory
        return GatewayProcess.start(config, dir.resolve("service.log"));
    }
}
