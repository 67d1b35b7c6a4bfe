package org.jkn.telemetry.gateway.auth;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ca.uhn.fhir.context.FhirContext;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpServer;
import io.vertx.ext.web.Router;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Clock;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.jkn.telemetry.gateway.fhir.FhirResponses;
import org.jkn.telemetry.gateway.ops.Metrics;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * First-time token verifications are bounded: with every slot held by a verification in progress, a
 * new token is answered 503 auth-busy at once, unverified, while a token verified before still
 * passes; once the slot frees, new tokens are verified again.
 */
class VerificationLimitTest {

    private final TestKeys.SigningKey key = TestKeys.ec("k1");
    private final TestKeys.SigningKey unknown = TestKeys.ec("k-rotated-in");
    private final CountDownLatch releaseRefresh = new CountDownLatch(1);
    private final CountDownLatch refreshing = new CountDownLatch(1);
    private Vertx vertx;
    private HttpServer server;
    private final HttpClient http = HttpClient.newHttpClient();

    /**
     * The configured key; a kid it does not know makes the verifier refetch, which here waits for
     * the test.
     */
    private KeySource keys() {
        Jwks jwks = Jwks.of(new Jwks.Key("k1", "ES256", key.pair().getPublic()));
        return new KeySource() {
            @Override
            public Jwks.Key find(String kid) {
                return jwks.find(kid);
            }

            @Override
            public boolean canRefresh() {
                return true;
            }

            @Override
            public boolean refresh() {
                refreshing.countDown();
                try {
                    releaseRefresh.await(30, TimeUnit.SECONDS);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
                return false;
            }
        };
    }

    @BeforeEach
    void start() throws Exception {
        vertx = Vertx.vertx();
        TokenVerifier verifier =
                new TokenVerifier(
                        keys(),
                        TestKeys.ISSUER,
                        TestKeys.AUDIENCE,
                        Duration.ZERO,
                        Clock.systemUTC());
        AuthResponses responses =
                new AuthResponses(new FhirResponses(FhirContext.forR4Cached()), new Metrics(null));
        Router router = Router.router(vertx);
        router.route("/v1/*").handler(new AuthHandler(vertx, verifier, responses, 1));
        router.get("/v1/whoami").handler(ctx -> ctx.response().end(Principal.of(ctx).subject()));
        server =
                vertx.createHttpServer()
                        .requestHandler(router)
                        .listen(0, "127.0.0.1")
                        .toCompletionStage()
                        .toCompletableFuture()
                        .get(10, TimeUnit.SECONDS);
    }

    @AfterEach
    void stop() throws Exception {
        releaseRefresh.countDown();
        vertx.close().toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
    }

    private CompletableFuture<HttpResponse<String>> call(String token) {
        HttpRequest r =
                HttpRequest.newBuilder(
                                URI.create(
                                        "http://127.0.0.1:" + server.actualPort() + "/v1/whoami"))
                        .header("Authorization", "Bearer " + token)
                        .timeout(Duration.ofSeconds(30))
                        .build();
        return http.sendAsync(r, HttpResponse.BodyHandlers.ofString());
    }

    private String token(TestKeys.SigningKey k, String subject) {
        return k.sign(TestKeys.patientClaims(subject, "patient/Observation.rs"));
    }

    @Test
    void newTokensBeyondTheBoundAre503WhileKnownTokensPass() throws Exception {
        String known = token(key, "known-user");
        assertEquals(
                200,
                call(known).get(10, TimeUnit.SECONDS).statusCode(),
                "verified once, then cached");

        CompletableFuture<HttpResponse<String>> holding =
                call(token(unknown, "holder")); // takes the only slot
        assertTrue(refreshing.await(10, TimeUnit.SECONDS), "the verification is in progress");

        HttpResponse<String> busy = call(token(key, "new-user")).get(10, TimeUnit.SECONDS);
        assertEquals(503, busy.statusCode(), busy.body());
        assertEquals("1", busy.headers().firstValue("Retry-After").orElse(""));
        assertTrue(busy.body().contains("auth-busy"), busy.body());
        assertFalse(holding.isDone(), "the first verification still holds the slot");
        HttpResponse<String> cached = call(known).get(10, TimeUnit.SECONDS);
        assertEquals(200, cached.statusCode(), "a token verified before does not need a slot");
        assertEquals("patient-known-user", cached.body());

        releaseRefresh.countDown();
        assertEquals(
                401, holding.get(10, TimeUnit.SECONDS).statusCode(), "its kid is still unknown");
        HttpResponse<String> later = call(token(key, "new-user")).get(10, TimeUnit.SECONDS);
        assertEquals(200, later.statusCode(), "with the slot free, new tokens are verified again");
        assertEquals("patient-new-user", later.body());
    }
}
