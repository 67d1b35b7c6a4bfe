package org.jkn.telemetry.gateway;

import static org.junit.jupiter.api.Assertions.assertFalse;

import io.vertx.core.json.JsonObject;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.Base64;
import java.util.EnumMap;
import java.util.Map;
import org.jkn.telemetry.gateway.auth.dev.DevSigningKey;
import org.jkn.telemetry.gateway.auth.dev.DevTokens;
import org.jkn.telemetry.gateway.config.ConfigKey;
import org.jkn.telemetry.gateway.config.GatewayConfig;
import org.jkn.telemetry.normalizer.identity.Pseudonymizer;
import org.jkn.telemetry.store.crypto.RowKeys;
import org.jkn.telemetry.testing.PrometheusScrape;

/**
 * A real gateway (embedded PostgreSQL, journal, HTTP on a free port) and a real HTTP client for
 * tests. Requests carry a patient token for the fixture's patient ({@link #nik()}) unless told
 * otherwise: development tokens signed with the key the gateway generated in its data directory
 * ({@link #tokens()}), as a user's would be.
 *
 * <p>A test class that needs nothing but the default configuration takes a client of the gateway
 * all such classes share ({@link #shared(String)}), naming a patient of its own: it then finds only
 * its own readings, consents and trail, and must not count rows of whole tables nor absolute metric
 * values (a delta is fine: classes run one after another). A class that needs another
 * configuration, a restart, or the whole database to itself starts a gateway of its own ({@link
 * #start(Path)}), whose patient is {@link #NIK}.
 */
public final class GatewayFixture implements AutoCloseable {

    public static final String NIK = "3171011508850001";
    public static final byte[] KEY =
            "test-pseudonym-key-0123456789abcdef".getBytes(StandardCharsets.US_ASCII);
    private static final Pseudonymizer PSEUDONYMS = new Pseudonymizer(KEY);
    public static final String PATIENT_ID = PSEUDONYMS.patientId(NIK);
    private static final RowKeys ROW_KEYS = new RowKeys(KEY);
    public static final String KEK =
            "test-kek:"
                    + Base64.getEncoder()
                            .encodeToString(
                                    "test-kek-32-bytes-0123456789abcd"
                                            .getBytes(StandardCharsets.US_ASCII));

    public static final String EXAMPLE =
            """
            {
              "patient": "3171011508850001",
              "device": {"id": "watch-7f3a", "manufacturer": "Acme", "model": "Band 5"},
              "readings": [
                {"id": "a1", "type": "heart_rate", "time": "2026-11-22T08:00:00+07:00", "value": 72, "unit": "/min"},
                {"id": "a2", "type": "steps", "start": "2026-11-22T08:00:00+07:00", "end": "2026-11-22T09:00:00+07:00", "value": 1200},
                {"id": "a3", "type": "blood_pressure", "time": "2026-11-22T08:05:00+07:00", "systolic": 121, "diastolic": 79, "unit": "mm[Hg]"},
                {"id": "a4", "type": "oxygen_saturation", "time": "2026-11-22T08:05:00+07:00", "value": 97, "unit": "%"}
              ]
            }
            """;

    /** The patient id (pseudonym) the gateways of these tests give this NIK. */
    public static String patientId(String nik) {
        return PSEUDONYMS.patientId(nik);
    }

    /** {@link #EXAMPLE} as sent for another patient. */
    public static String example(String nik) {
        return EXAMPLE.replace(NIK, nik);
    }

    private final Gateway gateway;
    private final boolean owned;
    private final String nik;
    private final String patientId;
    private final HttpClient http =
            HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

    /** Sent with every request that does not name its own; null sends none. */
    private volatile String defaultToken;

    private GatewayFixture(Gateway gateway, boolean owned, String nik) {
        this.gateway = gateway;
        this.owned = owned;
        this.nik = nik;
        this.patientId = patientId(nik);
        this.defaultToken = gateway.devTokens() == null ? null : patientToken(nik);
    }

    /** The NIK of this fixture's patient, whose token requests carry by default. */
    public String nik() {
        return nik;
    }

    public String patientId() {
        return patientId;
    }

    /** The row key (the key part of the Observation id) of a reading of this fixture's patient. */
    public String rowKey(String deviceId, String readingId) {
        return ROW_KEYS.key(patientId, deviceId, readingId);
    }

    /**
     * Development tokens of a service whose data directory is {@code dataDir} (a child process's,
     * say).
     */
    public static DevTokens devTokens(Path dataDir) throws IOException {
        return new DevTokens(
                DevSigningKey.load(dataDir),
                DevTokens.ISSUER,
                DevTokens.AUDIENCE,
                Clock.systemUTC());
    }

    /**
     * The minter of this gateway's development tokens (null when the gateway trusts a configured
     * JWKS).
     */
    public DevTokens tokens() {
        return gateway.devTokens();
    }

    /** A patient token with the default patient scopes (read, search, upload) for this NIK. */
    public String patientToken(String nik) {
        return tokens().patient(patientId(nik), DevTokens.PATIENT_SCOPES, DevTokens.DEFAULT_TTL);
    }

    public String adminToken() {
        return tokens().admin(DevTokens.DEFAULT_TTL);
    }

    public String clinicianToken() {
        return tokens().clinician(
                        "Practitioner/test-1",
                        "Organization/rs-45",
                        DevTokens.CLINICIAN_SCOPES,
                        DevTokens.DEFAULT_TTL);
    }

    /** Replaces the token sent by default (null: none). */
    public void defaultToken(String token) {
        this.defaultToken = token;
    }

    public String defaultToken() {
        return defaultToken;
    }

    /**
     * Sends the request with this token (null: no Authorization header) and checks it leaks
     * nothing.
     */
    public HttpResponse<String> send(HttpRequest.Builder b, String token)
            throws IOException, InterruptedException {
        if (token != null) {
            b.header("Authorization", "Bearer " + token);
        }
        return checked(http.send(b.build(), HttpResponse.BodyHandlers.ofString()));
    }

    public static Map<ConfigKey, String> config(Path dataDir) {
        Map<ConfigKey, String> c = new EnumMap<>(ConfigKey.class);
        c.put(ConfigKey.HTTP_HOST, "127.0.0.1");
        c.put(ConfigKey.HTTP_PORT, "0");
        c.put(ConfigKey.MQTT_HOST, "127.0.0.1");
        c.put(ConfigKey.MQTT_PORT, "0");
        c.put(ConfigKey.DATA_DIR, dataDir.toString());
        c.put(ConfigKey.PSEUDONYM_KEY, Base64.getEncoder().encodeToString(KEY));
        c.put(
                ConfigKey.KEK,
                KEK); // shared, like the pseudonym key, by instances sharing a database
        c.put(ConfigKey.DB_POOL_SIZE, "4");
        return c;
    }

    /**
     * A gateway where the fixture patient ({@link #NIK}) consents to the collection of every
     * category, cycle included. With a configured JWKS there is no development admin token to
     * record that consent with, and the gateway starts without it.
     */
    public static GatewayFixture start(Path dataDir) throws Exception {
        return start(config(dataDir));
    }

    public static GatewayFixture start(Map<ConfigKey, String> config) throws Exception {
        GatewayFixture gw = startWithoutConsent(config);
        try {
            if (gw.tokens() != null) {
                gw.consentToCollectingEverything(NIK);
            }
        } catch (Exception | AssertionError e) {
            gw.close();
            throw e;
        }
        return gw;
    }

    /** A gateway where no patient has consented to anything yet. */
    public static GatewayFixture startWithoutConsent(Path dataDir) throws Exception {
        return startWithoutConsent(config(dataDir));
    }

    public static GatewayFixture startWithoutConsent(Map<ConfigKey, String> config)
            throws Exception {
        return new GatewayFixture(Gateway.start(GatewayConfig.from(config)), true, NIK);
    }

    /**
     * A client of the shared gateway ({@link SharedGateway}) whose patient is {@code nik}, a NIK no
     * other test class uses, and consents to the collection of every category, cycle included.
     * Closing it leaves the gateway running.
     */
    public static GatewayFixture shared(String nik) throws Exception {
        GatewayFixture gw = sharedWithoutConsent(nik);
        gw.consentToCollectingEverything(nik);
        return gw;
    }

    /** The same, where the patient has not consented to anything yet. */
    public static GatewayFixture sharedWithoutConsent(String nik) throws Exception {
        return new GatewayFixture(SharedGateway.get(), false, nik);
    }

    /**
     * Records, with the admin token, a Consent permitting the collection of every category (cycle
     * included) for this NIK's patient; returns the Consent's id.
     */
    public String consentToCollectingEverything(String nik)
            throws IOException, InterruptedException {
        HttpResponse<String> r =
                postConsent(Consents.collectEverything(patientId(nik)), adminToken());
        if (r.statusCode() != 201) {
            throw new AssertionError("consent refused: " + r.statusCode() + " " + r.body());
        }
        return json(r).getString("id");
    }

    /** Posts a Consent with the default token (this fixture's patient's). */
    public HttpResponse<String> postConsent(JsonObject consent)
            throws IOException, InterruptedException {
        return postConsent(consent, defaultToken);
    }

    public HttpResponse<String> postConsent(JsonObject consent, String token)
            throws IOException, InterruptedException {
        return post(
                "/fhir/Consent",
                "application/fhir+json",
                consent.encode().getBytes(StandardCharsets.UTF_8),
                token);
    }

    /**
     * Replaces Consent {@code id} with this body (its id set to {@code id}), with the default
     * token.
     */
    public HttpResponse<String> putConsent(String id, JsonObject consent)
            throws IOException, InterruptedException {
        return putConsent(id, consent, defaultToken);
    }

    public HttpResponse<String> putConsent(String id, JsonObject consent, String token)
            throws IOException, InterruptedException {
        return send(
                HttpRequest.newBuilder(uri("/fhir/Consent/" + id))
                        .timeout(Duration.ofSeconds(30))
                        .header("Content-Type", "application/fhir+json")
                        .PUT(
                                HttpRequest.BodyPublishers.ofString(
                                        consent.copy().put("id", id).encode())),
                token);
    }

    /** DELETE with the default token. */
    public HttpResponse<String> delete(String path) throws IOException, InterruptedException {
        return delete(path, defaultToken);
    }

    public Gateway gateway() {
        return gateway;
    }

    public URI uri(String pathAndQuery) {
        return URI.create("http://127.0.0.1:" + gateway.port() + pathAndQuery);
    }

    public HttpResponse<String> post(String path, String contentType, byte[] body)
            throws IOException, InterruptedException {
        return post(path, contentType, body, defaultToken);
    }

    public HttpResponse<String> post(String path, String contentType, byte[] body, String token)
            throws IOException, InterruptedException {
        HttpRequest.Builder b =
                HttpRequest.newBuilder(uri(path))
                        .timeout(Duration.ofSeconds(60))
                        .POST(HttpRequest.BodyPublishers.ofByteArray(body));
        if (contentType != null) {
            b.header("Content-Type", contentType);
        }
        return send(b, token);
    }

    public HttpResponse<String> delete(String path, String token)
            throws IOException, InterruptedException {
        return send(
                HttpRequest.newBuilder(uri(path)).timeout(Duration.ofSeconds(30)).DELETE(), token);
    }

    public HttpResponse<String> postBatch(String json) throws IOException, InterruptedException {
        return post("/v1/readings", "application/json", json.getBytes(StandardCharsets.UTF_8));
    }

    public HttpResponse<String> get(String pathAndQuery) throws IOException, InterruptedException {
        return get(pathAndQuery, null);
    }

    public HttpResponse<String> get(String pathAndQuery, String accept)
            throws IOException, InterruptedException {
        return get(pathAndQuery, accept, defaultToken);
    }

    public HttpResponse<String> get(String pathAndQuery, String accept, String token)
            throws IOException, InterruptedException {
        HttpRequest.Builder b =
                HttpRequest.newBuilder(uri(pathAndQuery)).timeout(Duration.ofSeconds(30)).GET();
        if (accept != null) {
            b.header("Accept", accept);
        }
        return send(b, token);
    }

    /** No response, whatever its status, may carry a Java stack trace. */
    public static HttpResponse<String> checked(HttpResponse<String> r) {
        assertFalse(
                r.body().contains("Exception") || r.body().matches("(?s).*\\tat [a-z]+\\..*"),
                () -> "response leaks internals: " + r.body());
        return r;
    }

    public static JsonObject json(HttpResponse<String> r) {
        return new JsonObject(r.body());
    }

    /**
     * The value of one series of this gateway's metrics, labels included (e.g. {@code
     * telemetry_batches_refused_total{reason="malformed-json"}}); 0 when not there yet.
     */
    public double metric(String series) throws IOException, InterruptedException {
        return PrometheusScrape.value(get("/metrics").body(), series);
    }

    /** Observations of this fixture's patient in the FHIR API, as a searchset Bundle. */
    public JsonObject observations(String extraQuery) throws IOException, InterruptedException {
        HttpResponse<String> r =
                get("/fhir/Observation?patient=" + patientId + "&_count=1000" + extraQuery);
        if (r.statusCode() != 200) {
            throw new AssertionError("search failed: " + r.statusCode() + " " + r.body());
        }
        return json(r);
    }

    public int observationCount() {
        try {
            JsonObject b = observations("");
            return b.getJsonArray("entry") == null ? 0 : b.getJsonArray("entry").size();
        } catch (IOException | InterruptedException e) {
            throw new AssertionError(e);
        }
    }

    /**
     * True when every one of these readings of the device is stored for this fixture's patient: an
     * Observation id carries the row key of its reading.
     */
    public boolean stored(String deviceId, String... readingIds)
            throws IOException, InterruptedException {
        String bundle = observations("").encode();
        for (String r : readingIds) {
            if (!bundle.contains("-" + rowKey(deviceId, r) + "-")) {
                return false;
            }
        }
        return true;
    }

    /** Stops the gateway when this fixture started it; a shared one goes on. */
    @Override
    public void close() {
        if (owned) {
            gateway.close();
        }
    }
}
