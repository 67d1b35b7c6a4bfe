package org.jkn.telemetry.gateway;

import static org.jkn.telemetry.gateway.GatewayFixture.json;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.vertx.core.json.JsonArray;
import java.io.File;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import org.jkn.telemetry.gateway.auth.dev.DevTokens;
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
        int port;
        try (ServerSocket s = new ServerSocket(0)) {
            port = s.getLocalPort();
        }
        Process first = startService(port);
        Set<String> acknowledged = new HashSet<>();
        try {
            awaitHealthy(port, first);
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
            first.destroyForcibly(); // SIGKILL: no shutdown hook, no clean close of journal or
            // database
            first.waitFor();
        }
        assertEquals(BATCHES * PER_BATCH, acknowledged.size());

        Process second = startService(port);
        try {
            awaitHealthy(port, second);
            String token = patientToken();
            long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
            JsonArray entries;
            do {
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
                entries = json(r).getJsonArray("entry");
                Thread.sleep(100);
            } while ((entries == null || entries.size() < acknowledged.size())
                    && System.nanoTime() < deadline);
            assertTrue(entries != null);
            Set<String> stored = new HashSet<>();
            for (int i = 0; i < entries.size(); i++) {
                stored.add(entries.getJsonObject(i).getJsonObject("resource").getString("id"));
            }
            assertEquals(acknowledged.size(), entries.size(), "lost or duplicated readings");
            assertEquals(entries.size(), stored.size(), "duplicate observation ids");
        } finally {
            second.destroy();
            second.waitFor();
        }
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

    private Process startService(int port) throws Exception {
        String cp =
                System.getProperty(
                        "surefire.test.class.path", System.getProperty("java.class.path"));
        List<String> cmd = new ArrayList<>();
        cmd.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
        cmd.addAll(List.of(System.getProperty("chronicle.jvm.args", "").split(" ")));
        cmd.addAll(List.of("-Xmx512m", "-cp", cp, "org.jkn.telemetry.gateway.Main"));
        cmd.removeIf(String::isBlank);
        ProcessBuilder pb = new ProcessBuilder(cmd);
        pb.environment().put("TELEMETRY_DATA_DIR", dir.toString());
        pb.environment().put("TELEMETRY_HTTP_HOST", "127.0.0.1");
        pb.environment().put("TELEMETRY_HTTP_PORT", Integer.toString(port));
        pb.environment().put("TELEMETRY_MQTT_HOST", "127.0.0.1");
        pb.environment().put("TELEMETRY_MQTT_PORT", "0");
        pb.environment()
                .put(
                        "TELEMETRY_PSEUDONYM_KEY",
                        Base64.getEncoder().encodeToString(GatewayFixture.KEY));
        pb.redirectErrorStream(true);
        pb.redirectOutput(ProcessBuilder.Redirect.appendTo(new File(dir.toFile(), "service.log")));
        return pb.start();
    }

    private void awaitHealthy(int port, Process p) throws Exception {
        long deadline = System.nanoTime() + Duration.ofSeconds(90).toNanos();
        while (System.nanoTime() < deadline) {
            if (!p.isAlive()) {
                throw new AssertionError(
                        "service exited with "
                                + p.exitValue()
                                + "; see "
                                + dir.resolve("service.log"));
            }
            try {
                HttpResponse<String> r =
                        http.send(
                                HttpRequest.newBuilder(
                                                URI.create("http://127.0.0.1:" + port + "/health"))
                                        .build(),
                                HttpResponse.BodyHandlers.ofString());
                if (r.statusCode() == 200) {
                    return;
                }
            } catch (java.io.IOException e) {
                // not listening yet
            }
            Thread.sleep(200);
        }
        throw new AssertionError("service did not become healthy");
    }
}
