package org.jkn.telemetry.benchmarks.fhir;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.Base64;
import java.util.Comparator;
import java.util.EnumMap;
import java.util.Map;
import java.util.stream.Stream;
import org.jkn.telemetry.gateway.Gateway;
import org.jkn.telemetry.gateway.auth.dev.DevTokens;
import org.jkn.telemetry.gateway.config.ConfigKey;
import org.jkn.telemetry.gateway.config.GatewayConfig;
import org.jkn.telemetry.normalizer.identity.Pseudonymizer;

/**
 * Bulk export throughput of one node: a gateway of its own (embedded PostgreSQL in a temporary
 * directory, dev profile) is sent {@code --readings} 1 Hz heart rates of one patient over HTTP,
 * then the patient's {@code $export} is run {@code --runs} times (the first as warm-up) and each
 * run is timed from kick-off to the manifest (reading, opening and rendering every Observation to
 * NDJSON on disk), then the download of the files. A run whose manifest does not count every
 * reading fails instead of timing an empty export.
 *
 * <pre>
 * java -cp benchmarks/target/benchmarks.jar org.jkn.telemetry.benchmarks.fhir.ExportThroughput \
 *     [--readings 200000] [--runs 3]
 * </pre>
 */
public final class ExportThroughput {

    private static final String NIK = "3171011508850001";
    private static final int BATCH = 50_000;

    private ExportThroughput() {}

    public static void main(String[] args) throws Exception {
        int readings = Integer.parseInt(option(args, "--readings", "200000"));
        int runs = Integer.parseInt(option(args, "--runs", "3"));
        Path dir = Files.createTempDirectory("export-throughput");
        byte[] key = new byte[32];
        new java.security.SecureRandom().nextBytes(key);
        Map<ConfigKey, String> c = new EnumMap<>(ConfigKey.class);
        c.put(ConfigKey.HTTP_HOST, "127.0.0.1");
        c.put(ConfigKey.HTTP_PORT, "0");
        c.put(ConfigKey.MQTT_HOST, "127.0.0.1");
        c.put(ConfigKey.MQTT_PORT, "");
        c.put(ConfigKey.DATA_DIR, dir.toString());
        c.put(ConfigKey.PSEUDONYM_KEY, Base64.getEncoder().encodeToString(key));
        c.put(ConfigKey.JOURNAL_SYNC, "false");
        try (Gateway gw = Gateway.start(GatewayConfig.from(c))) {
            Client client = new Client(gw);
            String patientId = new Pseudonymizer(key).patientId(NIK);
            client.load(patientId, readings);
            for (int run = 1; run <= runs; run++) {
                client.export(patientId, readings, run == 1 ? "warm-up" : "run " + (run - 1));
            }
        } finally {
            try (Stream<Path> all = Files.walk(dir)) {
                for (Path p : all.sorted(Comparator.reverseOrder()).toList()) {
                    Files.deleteIfExists(p);
                }
            }
        }
    }

    private static String option(String[] args, String name, String fallback) {
        for (int i = 0; i + 1 < args.length; i++) {
            if (args[i].equals(name)) {
                return args[i + 1];
            }
        }
        return fallback;
    }

    /** HTTP against the gateway, with its development tokens. */
    private static final class Client {
        private final Gateway gw;
        private final HttpClient http = HttpClient.newHttpClient();
        private final String admin;

        Client(Gateway gw) {
            this.gw = gw;
            this.admin = gw.devTokens().admin(DevTokens.DEFAULT_TTL);
        }

        private String patientToken(String patientId) {
            return gw.devTokens()
                    .patient(patientId, DevTokens.PATIENT_SCOPES, DevTokens.DEFAULT_TTL);
        }

        private HttpResponse<String> send(HttpRequest.Builder b, String token) throws Exception {
            return http.send(
                    b.header("Authorization", "Bearer " + token).build(),
                    HttpResponse.BodyHandlers.ofString());
        }

        private URI uri(String path) {
            return URI.create("http://127.0.0.1:" + gw.port() + path);
        }

        void load(String patientId, int readings) throws Exception {
            String consent =
                    "{\"resourceType\":\"Consent\",\"status\":\"active\","
                            + "\"scope\":{\"coding\":[{\"system\":\"http://terminology.hl7.org/CodeSystem/consentscope\",\"code\":\"patient-privacy\"}]},"
                            + "\"category\":[{\"coding\":[{\"system\":\"http://loinc.org\",\"code\":\"59284-0\"}]}],"
                            + "\"patient\":{\"reference\":\"Patient/"
                            + patientId
                            + "\"},"
                            + "\"policyRule\":{\"coding\":[{\"system\":\"http://terminology.hl7.org/CodeSystem/v3-ActCode\",\"code\":\"OPTIN\"}]},"
                            + "\"provision\":{\"type\":\"deny\",\"provision\":[{\"type\":\"permit\","
                            + "\"action\":[{\"coding\":[{\"system\":\"http://terminology.hl7.org/CodeSystem/consentaction\",\"code\":\"collect\"}]}]}]}}";
            HttpResponse<String> r =
                    send(
                            HttpRequest.newBuilder(uri("/fhir/Consent"))
                                    .header("Content-Type", "application/fhir+json")
                                    .POST(HttpRequest.BodyPublishers.ofString(consent)),
                            admin);
            check(r.statusCode() == 201, "consent refused: " + r.body());
            Instant first = Instant.now().minus(readings + 60L, ChronoUnit.SECONDS);
            long started = System.nanoTime();
            for (int from = 0; from < readings; from += BATCH) {
                JsonArray batch = new JsonArray();
                for (int i = from; i < Math.min(readings, from + BATCH); i++) {
                    batch.add(
                            new JsonObject()
                                    .put("id", "hr-" + i)
                                    .put("type", "heart_rate")
                                    .put("time", first.plusSeconds(i).toString())
                                    .put("value", 55 + i % 50)
                                    .put("unit", "/min"));
                }
                JsonObject body =
                        new JsonObject()
                                .put("patient", NIK)
                                .put("device", new JsonObject().put("id", "watch-1"))
                                .put("readings", batch);
                HttpResponse<String> posted =
                        send(
                                HttpRequest.newBuilder(uri("/v1/readings"))
                                        .header("Content-Type", "application/json")
                                        .POST(HttpRequest.BodyPublishers.ofString(body.encode())),
                                patientToken(patientId));
                check(posted.statusCode() == 202, "batch refused: " + posted.body());
            }
            while (gw.journal().pendingReadings() > 0) {
                Thread.sleep(100);
            }
            System.out.printf(
                    "loaded %d readings in %.1f s%n",
                    readings, (System.nanoTime() - started) / 1e9);
        }

        void export(String patientId, int expected, String label) throws Exception {
            String token = patientToken(patientId);
            long started = System.nanoTime();
            HttpResponse<String> kick =
                    send(
                            HttpRequest.newBuilder(
                                            uri(
                                                    "/fhir/Patient/"
                                                            + patientId
                                                            + "/$export?_type=Observation"))
                                    .header("Accept", "application/fhir+json")
                                    .header("Prefer", "respond-async"),
                            token);
            check(kick.statusCode() == 202, "kick-off refused: " + kick.body());
            String status = kick.headers().firstValue("Content-Location").orElseThrow();
            HttpResponse<String> polled;
            do {
                Thread.sleep(20);
                polled = send(HttpRequest.newBuilder(URI.create(status)), token);
            } while (polled.statusCode() == 202);
            double exportSeconds = (System.nanoTime() - started) / 1e9;
            check(polled.statusCode() == 200, "export failed: " + polled.body());
            long count = 0;
            long bytes = 0;
            long downloadStarted = System.nanoTime();
            for (Object o : new JsonObject(polled.body()).getJsonArray("output")) {
                JsonObject f = (JsonObject) o;
                count += f.getLong("count");
                HttpResponse<byte[]> file =
                        http.send(
                                HttpRequest.newBuilder(URI.create(f.getString("url")))
                                        .header("Authorization", "Bearer " + token)
                                        .build(),
                                HttpResponse.BodyHandlers.ofByteArray());
                bytes += file.body().length;
            }
            double downloadSeconds = (System.nanoTime() - downloadStarted) / 1e9;
            check(count == expected, "exported " + count + " of " + expected);
            System.out.printf(
                    "%s: %d Observations exported in %.2f s = %.0f Observations/s; "
                            + "%.1f MB downloaded in %.2f s%n",
                    label,
                    count,
                    exportSeconds,
                    count / exportSeconds,
                    bytes / 1e6,
                    downloadSeconds);
            send(HttpRequest.newBuilder(URI.create(status)).DELETE(), token);
        }

        private static void check(boolean ok, String message) {
            if (!ok) {
                throw new IllegalStateException(message);
            }
        }
    }
}
