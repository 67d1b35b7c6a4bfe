package org.jkn.telemetry.gateway.auth;

import static org.jkn.telemetry.gateway.GatewayFixture.PATIENT_ID;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;
import org.jkn.telemetry.gateway.Gateway;
import org.jkn.telemetry.gateway.GatewayFixture;
import org.jkn.telemetry.gateway.config.ConfigKey;
import org.jkn.telemetry.gateway.config.GatewayConfig;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Keys from an identity provider's JWKS URL, served here by a real HTTP server: rotation is
 * followed without a restart, withdrawn keys stop verifying, made-up kids cannot make the gateway
 * hammer the provider, and an unreachable provider is said so.
 */
class JwksUrlTest {

    @TempDir Path dir;
    HttpServer idp;
    volatile String jwks;
    volatile int status = 200;
    final AtomicInteger fetches = new AtomicInteger();
    final TestKeys.SigningKey first = TestKeys.ec("2026-11-a");
    final TestKeys.SigningKey second = TestKeys.rsa("2026-11-b");

    @BeforeEach
    void startProvider() throws IOException {
        jwks = TestKeys.jwks(List.of(first));
        idp = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        idp.createContext(
                "/realms/jkn/protocol/openid-connect/certs",
                exchange -> {
                    fetches.incrementAndGet();
                    byte[] body = jwks.getBytes(StandardCharsets.UTF_8);
                    exchange.getResponseHeaders().add("Content-Type", "application/json");
                    exchange.sendResponseHeaders(status, body.length);
                    try (OutputStream out = exchange.getResponseBody()) {
                        out.write(body);
                    }
                });
        idp.start();
    }

    @AfterEach
    void stopProvider() {
        idp.stop(0);
    }

    private Map<ConfigKey, String> config(String minRefresh) {
        Map<ConfigKey, String> c = GatewayFixture.config(dir.resolve("gateway"));
        c.put(
                ConfigKey.AUTH_JWKS_URL,
                "http://127.0.0.1:"
                        + idp.getAddress().getPort()
                        + "/realms/jkn/protocol/openid-connect/certs");
        c.put(ConfigKey.AUTH_ISSUER, TestKeys.ISSUER);
        c.put(ConfigKey.AUTH_AUDIENCE, TestKeys.AUDIENCE);
        c.put(ConfigKey.AUTH_JWKS_MIN_REFRESH_INTERVAL, minRefresh);
        return c;
    }

    private static String token(TestKeys.SigningKey key) {
        return key.sign(TestKeys.patientClaims(PATIENT_ID, "patient/Observation.rs"));
    }

    private static HttpResponse<String> search(GatewayFixture gw, String token) throws Exception {
        return gw.get("/fhir/Observation?patient=" + PATIENT_ID, null, token);
    }

    @Test
    void aRotatedKeyIsFetchedOnFirstUseAndAWithdrawnOneStopsVerifying() throws Exception {
        try (GatewayFixture gw = GatewayFixture.start(config("PT0S"))) {
            assertEquals(1, fetches.get(), "fetched once at start-up");
            String remembered = token(first);
            assertEquals(200, search(gw, remembered).statusCode());
            assertEquals(
                    200,
                    search(gw, remembered).statusCode(),
                    "the second time from the verified-token cache");
            assertEquals(1, fetches.get(), "a known kid needs no fetch");

            jwks = TestKeys.jwks(List.of(first, second)); // the provider publishes its next key
            assertEquals(
                    200,
                    search(gw, token(second)).statusCode(),
                    "an unknown kid makes the gateway look again");
            assertEquals(2, fetches.get());

            jwks = TestKeys.jwks(List.of(second)); // and withdraws the old one
            assertEquals(
                    401,
                    search(
                                    gw,
                                    TestKeys.ec("never-published")
                                            .sign(TestKeys.patientClaims(PATIENT_ID, "x")))
                            .statusCode());
            HttpResponse<String> old = search(gw, token(first));
            assertEquals(401, old.statusCode(), "the refresh dropped the withdrawn key");
            assertTrue(
                    old.headers()
                            .firstValue("WWW-Authenticate")
                            .orElse("")
                            .contains("kid-unknown"));
            assertEquals(
                    401,
                    search(gw, remembered).statusCode(),
                    "a cached token of a withdrawn key is not trusted either");
            assertEquals(200, search(gw, token(second)).statusCode());
        }
    }

    @Test
    void anUnreachableProviderIsSaidSoAndKnownKeysKeepWorking() throws Exception {
        try (GatewayFixture gw = GatewayFixture.start(config("PT0S"))) {
            status = 503;
            HttpResponse<String> r = search(gw, token(second));
            assertEquals(401, r.statusCode());
            assertTrue(
                    r.headers()
                            .firstValue("WWW-Authenticate")
                            .orElse("")
                            .contains("keys-unavailable"));
            assertEquals("5", r.headers().firstValue("Retry-After").orElse(""));
            assertEquals(
                    200, search(gw, token(first)).statusCode(), "the keys held before stay in use");
        }
    }

    @Test
    void madeUpKidsDoNotMakeTheGatewayHammerTheProvider() throws Exception {
        try (GatewayFixture gw = GatewayFixture.start(config("PT1H"))) {
            for (int i = 0; i < 20; i++) {
                assertEquals(401, search(gw, token(TestKeys.ec("random-" + i))).statusCode());
            }
            assertTrue(
                    fetches.get() <= 2,
                    "at most one fetch within the interval, got " + fetches.get());
            assertEquals(200, search(gw, token(first)).statusCode());
        }
    }

    @Test
    void startUpFailsWhenTheProviderDoesNotServeAJwks() throws Exception {
        status = 404;
        IOException e =
                assertThrows(
                        IOException.class,
                        () -> Gateway.start(GatewayConfig.from(config("PT0S"))).close());
        assertTrue(e.getMessage().contains("TELEMETRY_AUTH_JWKS_URL"), e.getMessage());
        status = 200;
        jwks =
                "{\"keys\":["
                        + "{\"kty\":\"oct\",\"k\":\"c2VjcmV0\",\"kid\":\"hmac\"},".repeat(5)
                        + "{}]}";
        e =
                assertThrows(
                        IOException.class,
                        () -> Gateway.start(GatewayConfig.from(config("PT0S"))).close());
        assertTrue(e.getMessage().contains("no RS256 or ES256"), e.getMessage());
    }
}
