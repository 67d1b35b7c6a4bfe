package org.jkn.telemetry.gateway.auth;

import static org.jkn.telemetry.gateway.GatewayFixture.EXAMPLE;
import static org.jkn.telemetry.gateway.GatewayFixture.NIK;
import static org.jkn.telemetry.gateway.GatewayFixture.PATIENT_ID;
import static org.jkn.telemetry.gateway.GatewayFixture.json;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.zonky.test.db.postgres.embedded.EmbeddedPostgres;
import java.io.IOException;
import java.net.Inet4Address;
import java.net.InetAddress;
import java.net.NetworkInterface;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import org.jkn.telemetry.gateway.Consents;
import org.jkn.telemetry.gateway.Gateway;
import org.jkn.telemetry.gateway.GatewayFixture;
import org.jkn.telemetry.gateway.auth.dev.DevSigningKey;
import org.jkn.telemetry.gateway.config.ConfigKey;
import org.jkn.telemetry.gateway.config.GatewayConfig;
import org.jkn.telemetry.testing.Poll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The dev profile's generated signing key and {@code GET /dev/token}, and the prod profile, which
 * has neither and will not trust the development key even when told to.
 */
class DevelopmentTokensTest {

    @TempDir Path dir;

    private static String mint(GatewayFixture gw, String query) throws Exception {
        HttpResponse<String> r = gw.get("/dev/token?" + query, null, null);
        assertEquals(200, r.statusCode(), r.body());
        assertEquals("no-store", r.headers().firstValue("Cache-Control").orElse(""));
        return r.body();
    }

    @Test
    void aNewUserPostsTheExampleAndReadsItBackWithMintedTokens() throws Exception {
        try (GatewayFixture gw = GatewayFixture.start(dir)) {
            String patient = mint(gw, "role=patient&nik=" + NIK);
            assertEquals(
                    202,
                    gw.post(
                                    "/v1/readings",
                                    "application/json",
                                    EXAMPLE.getBytes(StandardCharsets.UTF_8),
                                    patient)
                            .statusCode());
            Poll.until("stored", () -> gw.observationCount() == 4);
            assertEquals(
                    4,
                    json(gw.get("/fhir/Observation?patient=" + PATIENT_ID, null, patient))
                            .getJsonArray("entry")
                            .size());
            String clinician =
                    mint(
                            gw,
                            "role=clinician&fhirUser=Practitioner/123&organization=Organization/rs-45");
            assertEquals(
                    403,
                    gw.get("/fhir/Observation?patient=" + PATIENT_ID, null, clinician).statusCode(),
                    "until the patient consents");
            assertEquals(
                    201,
                    gw.postConsent(
                                    Consents.consent(
                                            PATIENT_ID, Consents.disclose("Practitioner/123")),
                                    patient)
                            .statusCode());
            assertEquals(
                    200,
                    gw.get("/fhir/Observation?patient=" + PATIENT_ID, null, clinician)
                            .statusCode());
            String admin = mint(gw, "role=admin");
            String device =
                    "{\"patient\":\""
                            + NIK
                            + "\",\"manufacturer\":\"Acme\",\"model\":\"Band 5\",\"serial\":\"SN-DEV\"}";
            assertEquals(
                    201,
                    gw.post(
                                    "/v1/devices",
                                    "application/json",
                                    device.getBytes(StandardCharsets.UTF_8),
                                    admin)
                            .statusCode());
            String readOnly = mint(gw, "role=patient&nik=" + NIK + "&scope=patient/Observation.rs");
            assertEquals(
                    403,
                    gw.post(
                                    "/v1/readings",
                                    "application/json",
                                    EXAMPLE.getBytes(StandardCharsets.UTF_8),
                                    readOnly)
                            .statusCode());

            assertEquals(400, gw.get("/dev/token?role=patient&nik=1234", null, null).statusCode());
            assertEquals(400, gw.get("/dev/token?role=root", null, null).statusCode());
            assertEquals(
                    400,
                    gw.get("/dev/token?role=clinician&fhirUser=Patient/1", null, null)
                            .statusCode());
        }
    }

    @Test
    void developmentTokensAreHandedOutOnlyToLoopbackCallers() throws Exception {
        Map<ConfigKey, String> c = GatewayFixture.config(dir);
        c.put(ConfigKey.HTTP_HOST, "0.0.0.0");
        try (GatewayFixture gw = GatewayFixture.start(c)) {
            assertEquals(200, gw.get("/dev/token?role=admin", null, null).statusCode());
            InetAddress external = nonLoopbackAddress();
            assertNotNull(external, "this test needs a network interface besides loopback");
            HttpResponse<String> r =
                    HttpClient.newHttpClient()
                            .send(
                                    HttpRequest.newBuilder(
                                                    URI.create(
                                                            "http://"
                                                                    + external.getHostAddress()
                                                                    + ":"
                                                                    + gw.gateway().port()
                                                                    + "/dev/token?role=admin"))
                                            .build(),
                                    HttpResponse.BodyHandlers.ofString());
            assertEquals(403, r.statusCode());
            assertEquals("dev-only-local", json(r).getJsonObject("error").getString("code"));
        }
    }

    private static InetAddress nonLoopbackAddress() throws Exception {
        for (NetworkInterface n : Collections.list(NetworkInterface.getNetworkInterfaces())) {
            if (!n.isUp() || n.isLoopback()) {
                continue;
            }
            for (InetAddress a : Collections.list(n.getInetAddresses())) {
                if (a instanceof Inet4Address) {
                    return a;
                }
            }
        }
        return null;
    }

    @Test
    void theDevelopmentKeyIsMadeOnceOwnerOnlyAndTokensOutliveARestart() throws Exception {
        Path key = dir.resolve("keys").resolve(DevSigningKey.FILE);
        String token;
        try (GatewayFixture gw = GatewayFixture.start(dir)) {
            assertTrue(Files.exists(key));
            assertEquals(
                    PosixFilePermissions.fromString("rw-------"),
                    Files.getPosixFilePermissions(key));
            token = gw.defaultToken();
            assertEquals(200, gw.get("/fhir/Observation?patient=" + PATIENT_ID).statusCode());
        }
        String before = Files.readString(key);
        try (GatewayFixture again = GatewayFixture.start(dir)) {
            assertEquals(before, Files.readString(key), "the key is reused, not replaced");
            assertEquals(
                    200,
                    again.get("/fhir/Observation?patient=" + PATIENT_ID, null, token).statusCode());
        }
    }

    @Test
    void prodNeverBindsTheDevEndpointAndRefusesDevelopmentTokens() throws Exception {
        DevSigningKey devKey =
                DevSigningKey.load(dir.resolve("gateway")); // left behind by an earlier dev run
        TestKeys.SigningKey idp = TestKeys.ec("idp-1");
        try (EmbeddedPostgres pg =
                EmbeddedPostgres.builder().setDataDirectory(dir.resolve("pg")).start()) {
            Map<ConfigKey, String> c =
                    prod(pg, TestKeys.writeJwks(dir.resolve("jwks.json"), List.of(idp)));
            try (GatewayFixture gw = GatewayFixture.start(c)) {
                assertEquals(404, gw.get("/dev/token?role=admin", null, null).statusCode());
                String dev =
                        GatewayFixture.devTokens(dir.resolve("gateway"))
                                .admin(java.time.Duration.ofMinutes(5));
                HttpResponse<String> r =
                        gw.post(
                                "/v1/devices",
                                "application/json",
                                "{}".getBytes(StandardCharsets.UTF_8),
                                dev);
                assertEquals(401, r.statusCode());
                String idpToken =
                        idp.sign(TestKeys.patientClaims(PATIENT_ID, "patient/Observation.rs"));
                assertEquals(
                        200,
                        gw.get("/fhir/Observation?patient=" + PATIENT_ID, null, idpToken)
                                .statusCode());
            }

            // an operator pointing the prod JWKS at the development key is stopped at start-up
            Path devJwks = Files.writeString(dir.resolve("dev-jwks.json"), devKey.jwksJson());
            IOException e =
                    assertThrows(
                            IOException.class,
                            () -> Gateway.start(GatewayConfig.from(prod(pg, devJwks))).close());
            assertTrue(e.getMessage().contains("development"), e.getMessage());
        }
    }

    private Map<ConfigKey, String> prod(EmbeddedPostgres pg, Path jwks) {
        Map<ConfigKey, String> c = GatewayFixture.config(dir.resolve("gateway"));
        c.put(ConfigKey.PROFILE, "prod");
        c.put(ConfigKey.DB_URL, pg.getJdbcUrl("postgres", "postgres"));
        c.put(ConfigKey.AUTH_JWKS_FILE, jwks.toString());
        c.put(ConfigKey.AUTH_ISSUER, TestKeys.ISSUER);
        c.put(ConfigKey.AUTH_AUDIENCE, TestKeys.AUDIENCE);
        assertNotNull(c.get(ConfigKey.PSEUDONYM_KEY));
        return c;
    }
}
