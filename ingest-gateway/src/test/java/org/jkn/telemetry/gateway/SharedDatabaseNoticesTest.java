package org.jkn.telemetry.gateway;

import static org.jkn.telemetry.gateway.GatewayFixture.EXAMPLE;
import static org.jkn.telemetry.gateway.GatewayFixture.NIK;
import static org.jkn.telemetry.gateway.GatewayFixture.PATIENT_ID;
import static org.jkn.telemetry.gateway.GatewayFixture.json;
import static org.junit.jupiter.api.Assertions.assertEquals;

import io.vertx.core.json.JsonObject;
import io.zonky.test.db.postgres.embedded.EmbeddedPostgres;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.eclipse.paho.mqttv5.client.MqttDisconnectResponse;
import org.jkn.telemetry.gateway.config.ConfigKey;
import org.jkn.telemetry.gateway.mqtt.PahoV5;
import org.jkn.telemetry.testing.Poll;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.io.TempDir;

/**
 * Two instances sharing one database: a consent withdrawal, an erasure or a device revocation made
 * through one applies on the other at once, long before any cache of the other would expire (the
 * consent cache is set to ten minutes here, data keys are cached for one).
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class SharedDatabaseNoticesTest {

    @TempDir static Path dir;
    EmbeddedPostgres pg;
    GatewayFixture a;
    GatewayFixture b;

    @BeforeAll
    void start() throws Exception {
        pg = EmbeddedPostgres.builder().setDataDirectory(dir.resolve("pg")).start();
        a = GatewayFixture.startWithoutConsent(instance("a"));
        b = GatewayFixture.startWithoutConsent(instance("b"));
    }

    @AfterAll
    void stop() throws Exception {
        if (b != null) {
            b.close();
        }
        if (a != null) {
            a.close();
        }
        pg.close();
    }

    private Map<ConfigKey, String> instance(String name) {
        Map<ConfigKey, String> c = GatewayFixture.config(dir.resolve(name));
        c.put(ConfigKey.DB_URL, pg.getJdbcUrl("postgres", "postgres"));
        c.put(ConfigKey.DB_USER, "postgres");
        c.put(ConfigKey.CONSENT_CACHE_TTL, "PT10M");
        return c;
    }

    /**
     * Uploads through B (with B's own development token) readings with ids prefixed by {@code tag}.
     */
    private JsonObject uploadThroughB(String tag) throws Exception {
        String body = EXAMPLE.replace("\"id\": \"a", "\"id\": \"" + tag);
        HttpResponse<String> r =
                b.post(
                        "/v1/readings",
                        "application/json",
                        body.getBytes(StandardCharsets.UTF_8),
                        b.patientToken(NIK));
        assertEquals(202, r.statusCode(), r.body());
        return json(r);
    }

    private boolean refusedForConsent(JsonObject answer) {
        return answer.getInteger("accepted") == 0
                && answer.getJsonArray("rejected").size() == 4
                && answer.getJsonArray("rejected").stream()
                        .allMatch(
                                o ->
                                        "consent-required"
                                                .equals(((JsonObject) o).getString("reason")));
    }

    @Test
    void aWithdrawalAndAnErasureThroughOneInstanceApplyOnTheOtherAtOnce() throws Exception {
        String consent = a.consentToCollectingEverything(NIK);
        Poll.until(
                "B sees the new consent",
                () -> call(() -> uploadThroughB("w").getInteger("accepted") == 4));

        assertEquals(204, a.delete("/fhir/Consent/" + consent, a.adminToken()).statusCode());
        Poll.until(
                "B refuses uploads once A withdrew the consent",
                () -> call(() -> refusedForConsent(uploadThroughB("x"))));

        // B now holds the patient's data key; A erases the patient, and the patient consents again
        a.consentToCollectingEverything(NIK);
        Poll.until(
                "B sees the renewed consent",
                () -> call(() -> uploadThroughB("y").getInteger("accepted") == 4));
        Poll.until("B's upload is stored", () -> b.gateway().journal().pendingReadings() == 0);
        assertEquals(200, a.delete("/fhir/Patient/" + PATIENT_ID, a.adminToken()).statusCode());
        Poll.until(
                "B refuses uploads once A erased the patient (its consents went with it)",
                () -> call(() -> refusedForConsent(uploadThroughB("z"))));
        a.consentToCollectingEverything(NIK);
        Poll.until(
                "B sees the consent given after the erasure",
                () -> call(() -> uploadThroughB("after").getInteger("accepted") == 4));
        Poll.until(
                "B's upload after the erasure is stored",
                () -> b.gateway().journal().pendingReadings() == 0);
        // sealed under the erased key, the readings would be dropped on drain: these were sealed
        // under a new one
        HttpResponse<String> found =
                b.get(
                        "/fhir/Observation?patient=" + PATIENT_ID + "&_count=100",
                        null,
                        b.patientToken(NIK));
        assertEquals(200, found.statusCode(), found.body());
        assertEquals(
                4,
                json(found).getJsonArray("entry").size(),
                "only what was sent after the erasure, readable: " + found.body());
    }

    @Test
    void anInstanceThatLostItsNoticeConnectionForgetsWhatItCachedOnceItIsBack() throws Exception {
        String nik = "3171015203920007";
        String patient =
                new org.jkn.telemetry.normalizer.identity.Pseudonymizer(GatewayFixture.KEY)
                        .patientId(nik);
        a.consentToCollectingEverything(nik);
        String batch = EXAMPLE.replace(NIK, nik);
        Poll.until(
                "B has the consent cached",
                () ->
                        call(
                                () ->
                                        json(b.post(
                                                                "/v1/readings",
                                                                "application/json",
                                                                batch.getBytes(
                                                                        StandardCharsets.UTF_8),
                                                                b.patientToken(nik)))
                                                        .getInteger("accepted")
                                                == 4));

        // a withdrawal whose notice B never gets: made behind the service's back, then B's listener
        // is cut
        try (java.sql.Connection c = pg.getPostgresDatabase().getConnection();
                java.sql.Statement s = c.createStatement()) {
            s.execute("delete from consents where patient_id = '" + patient + "'");
            s.execute(
                    "select pg_terminate_backend(pid) from pg_stat_activity where application_name = 'telemetry-gateway-notices'");
        }
        Poll.until(
                "B forgets its cached decisions once it listens again",
                () ->
                        call(
                                () -> {
                                    JsonObject answer =
                                            json(
                                                    b.post(
                                                            "/v1/readings",
                                                            "application/json",
                                                            batch.getBytes(StandardCharsets.UTF_8),
                                                            b.patientToken(nik)));
                                    return answer.getInteger("accepted") == 0;
                                }));
    }

    @Test
    void aDeviceRevokedThroughOneInstanceIsDisconnectedFromTheOther() throws Exception {
        String body =
                new JsonObject()
                        .put("patient", "3273024506900002")
                        .put("manufacturer", "Acme")
                        .put("model", "Band 5")
                        .put("serial", "SN-NOTICE-1")
                        .encode();
        HttpResponse<String> registered =
                a.post(
                        "/v1/devices",
                        "application/json",
                        body.getBytes(StandardCharsets.UTF_8),
                        a.adminToken());
        assertEquals(201, registered.statusCode(), registered.body());
        String device = json(registered).getString("id");
        String secret = json(registered).getString("secret");

        int port = b.gateway().mqtt().port();
        try (PahoV5 client = PahoV5.create(port, device)) {
            assertEquals(
                    0,
                    client.connect(PahoV5.options(device, secret)),
                    "B accepts the device registered through A");

            assertEquals(204, a.delete("/v1/devices/" + device, a.adminToken()).statusCode());
            MqttDisconnectResponse why =
                    client.disconnected.get(
                            20, TimeUnit.SECONDS); // B closes it: a revocation is not waited out
            assertEquals(
                    0x87, why.getReturnCode(), "B tells the device it is not authorized any more");
        }
        try (PahoV5 again = PahoV5.create(port, device + "-2")) {
            assertEquals(
                    0x87,
                    again.connect(PahoV5.options(device, secret)),
                    "and refuses its next CONNECT");
        }
    }

    private interface Check {
        boolean run() throws Exception;
    }

    private static boolean call(Check c) {
        try {
            return c.run();
        } catch (Exception e) {
            throw new AssertionError(e);
        }
    }
}
