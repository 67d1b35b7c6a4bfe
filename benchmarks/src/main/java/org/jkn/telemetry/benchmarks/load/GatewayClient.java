package org.jkn.telemetry.benchmarks.load;

import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Map;
import java.util.TreeMap;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The set-up calls the load tools make to a development gateway: tokens, consents, device
 * registrations, and its Prometheus metrics. Blocking and slow on purpose (they happen before the
 * measured part); the measured requests have their own client.
 */
final class GatewayClient {

    private final String base;
    private final HttpClient http =
            HttpClient.newBuilder()
                    .version(HttpClient.Version.HTTP_1_1)
                    .connectTimeout(Duration.ofSeconds(5))
                    .build();

    GatewayClient(String base) {
        this.base = base.endsWith("/") ? base.substring(0, base.length() - 1) : base;
    }

    /**
     * A token from the development profile's {@code GET /dev/token} (loopback callers only; a
     * production gateway has no such endpoint).
     */
    String devToken(String query) throws Exception {
        HttpResponse<String> r = get("/dev/token?" + query);
        if (r.statusCode() != 200) {
            throw new IllegalArgumentException(
                    "GET /dev/token answered "
                            + r.statusCode()
                            + "; the load tools need a gateway in the dev profile (or --token)");
        }
        return r.body().trim();
    }

    String patientToken(String nik) throws Exception {
        return devToken("role=patient&nik=" + URLEncoder.encode(nik, StandardCharsets.UTF_8));
    }

    /**
     * Records the patient's consent to the collection of every category but cycle (a permit without
     * codes), with a token of that patient or an admin token: without it every reading is rejected
     * as consent-required.
     */
    void consent(String token, String nik) throws Exception {
        String consent =
                "{\"resourceType\":\"Consent\",\"status\":\"active\","
                        + "\"scope\":{\"coding\":[{\"system\":\"http://terminology.hl7.org/CodeSystem/consentscope\",\"code\":\"patient-privacy\"}]},"
                        + "\"category\":[{\"coding\":[{\"system\":\"http://loinc.org\",\"code\":\"59284-0\"}]}],"
                        + "\"patient\":{\"identifier\":{\"system\":\"https://fhir.kemkes.go.id/id/nik\",\"value\":\""
                        + nik
                        + "\"}},"
                        + "\"policyRule\":{\"coding\":[{\"system\":\"http://terminology.hl7.org/CodeSystem/v3-ActCode\",\"code\":\"OPTIN\"}]},"
                        + "\"provision\":{\"type\":\"deny\",\"provision\":[{\"type\":\"permit\",\"action\":[{\"coding\":"
                        + "[{\"system\":\"http://terminology.hl7.org/CodeSystem/consentaction\",\"code\":\"collect\"}]}]}]}}";
        HttpResponse<String> r = post("/fhir/Consent", token, "application/fhir+json", consent);
        if (r.statusCode() != 201) {
            throw new IllegalStateException(
                    "the consent of a simulated patient was refused: " + r.statusCode());
        }
    }

    /** Registers a device for the patient; returns its id and secret. Retries 503 registry-busy. */
    String[] registerDevice(String token, String nik, String serial) throws Exception {
        String body =
                "{\"patient\":\""
                        + nik
                        + "\",\"manufacturer\":\"Sim\",\"model\":\"Band\",\"serial\":\""
                        + serial
                        + "\"}";
        for (int attempt = 0; ; attempt++) {
            HttpResponse<String> r = post("/v1/devices", token, "application/json", body);
            if (r.statusCode() == 201) {
                Matcher id = Pattern.compile("\"id\"\\s*:\\s*\"([^\"]+)\"").matcher(r.body());
                Matcher secret =
                        Pattern.compile("\"secret\"\\s*:\\s*\"([^\"]+)\"").matcher(r.body());
                if (id.find() && secret.find()) {
                    return new String[] {id.group(1), secret.group(1)};
                }
            }
            if (r.statusCode() != 503 || attempt > 20) {
                throw new IllegalStateException("device registration answered " + r.statusCode());
            }
            Thread.sleep(200);
        }
    }

    /** The whole {@code /metrics} text, to read several meters from one scrape. */
    String metrics() throws Exception {
        return get("/metrics").body();
    }

    /**
     * One meter summed over its labels ({@code telemetry_readings_accepted_total} over types...).
     */
    double metric(String name) throws Exception {
        return sum(metrics(), name);
    }

    static double sum(String metricsText, String name) {
        double sum = 0;
        for (double v : byLabels(metricsText, name).values()) {
            sum += v;
        }
        return sum;
    }

    /** A meter's values by label set ({@code {reason="consent-required"}} to its count). */
    static Map<String, Double> byLabels(String metricsText, String name) {
        Map<String, Double> values = new TreeMap<>();
        Matcher m =
                Pattern.compile("(?m)^" + Pattern.quote(name) + "(\\{[^}]*})? ([0-9.E+-]+|NaN)")
                        .matcher(metricsText);
        while (m.find()) {
            values.merge(
                    m.group(1) == null ? "" : m.group(1),
                    m.group(2).equals("NaN") ? 0 : Double.parseDouble(m.group(2)),
                    Double::sum);
        }
        return values;
    }

    private HttpResponse<String> get(String path) throws Exception {
        return http.send(
                HttpRequest.newBuilder(URI.create(base + path))
                        .timeout(Duration.ofSeconds(30))
                        .build(),
                HttpResponse.BodyHandlers.ofString());
    }

    private HttpResponse<String> post(String path, String token, String type, String body)
            throws Exception {
        return http.send(
                HttpRequest.newBuilder(URI.create(base + path))
                        .timeout(Duration.ofSeconds(60))
                        .header("Content-Type", type)
                        .header("Authorization", "Bearer " + token)
                        .POST(HttpRequest.BodyPublishers.ofString(body))
                        .build(),
                HttpResponse.BodyHandlers.ofString());
    }
}
