package org.jkn.telemetry.gateway.auth;

import static org.jkn.telemetry.gateway.GatewayFixture.PATIENT_ID;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.security.interfaces.RSAPublicKey;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import org.jkn.telemetry.gateway.GatewayFixture;
import org.jkn.telemetry.gateway.config.ConfigKey;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.io.TempDir;

/**
 * Tokens an attacker would try, against a gateway that trusts a JWKS file of one RSA and one EC
 * key, over real HTTP: every one gets 401 with {@code WWW-Authenticate: Bearer
 * error="invalid_token"}, the API's own error body and no stack trace; well-formed tokens of the
 * trusted keys get in.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class HostileTokensTest {

    static final String READ = "patient/Observation.rs patient/Observation.c";
    @TempDir static Path dir;
    GatewayFixture gw;
    final TestKeys.SigningKey rsa = TestKeys.rsa("rsa-1");
    final TestKeys.SigningKey ec = TestKeys.ec("ec-1");

    @BeforeAll
    void start() throws Exception {
        Map<ConfigKey, String> c = GatewayFixture.config(dir.resolve("gateway"));
        c.put(
                ConfigKey.AUTH_JWKS_FILE,
                TestKeys.writeJwks(dir.resolve("jwks.json"), List.of(rsa, ec)).toString());
        c.put(ConfigKey.AUTH_ISSUER, TestKeys.ISSUER);
        c.put(ConfigKey.AUTH_AUDIENCE, TestKeys.AUDIENCE);
        c.put(ConfigKey.AUTH_LEEWAY, "PT30S");
        gw = GatewayFixture.start(c);
        assertNull(gw.tokens(), "with a JWKS there is no development minter");
    }

    @AfterAll
    void stop() {
        gw.close();
    }

    private JsonObject claims() {
        return TestKeys.patientClaims(PATIENT_ID, READ);
    }

    private HttpResponse<String> search(String token) throws Exception {
        return gw.get("/fhir/Observation?patient=" + PATIENT_ID, null, token);
    }

    private void assertRefused(String token, String reason) throws Exception {
        HttpResponse<String> r = search(token);
        assertEquals(401, r.statusCode(), reason + ": " + r.body());
        String challenge = r.headers().firstValue("WWW-Authenticate").orElse("");
        assertTrue(
                challenge.startsWith("Bearer ") && challenge.contains("error=\"invalid_token\""),
                challenge);
        assertTrue(
                challenge.contains("error_description=\"" + reason + "\""),
                reason + " expected, got " + challenge);
        assertEquals("OperationOutcome", new JsonObject(r.body()).getString("resourceType"));
        HttpResponse<String> upload =
                gw.post(
                        "/v1/readings",
                        "application/json",
                        GatewayFixture.EXAMPLE.getBytes(StandardCharsets.UTF_8),
                        token);
        assertEquals(401, upload.statusCode(), reason);
        assertEquals(
                "invalid-token",
                new JsonObject(upload.body()).getJsonObject("error").getString("code"));
    }

    @Test
    void wellFormedRs256AndEs256TokensGetIn() throws Exception {
        assertEquals(200, search(rsa.sign(claims())).statusCode());
        assertEquals(200, search(ec.sign(claims())).statusCode());
        JsonObject arrayAudience =
                claims().put("aud", new JsonArray().add("another-api").add(TestKeys.AUDIENCE));
        assertEquals(
                200,
                search(ec.sign(arrayAudience)).statusCode(),
                "aud may be an array holding ours");
        long now = System.currentTimeMillis() / 1000;
        assertEquals(
                200,
                search(ec.sign(claims().put("exp", now - 10))).statusCode(),
                "10 s past exp is within the leeway");
        assertEquals(
                200,
                search(ec.sign(claims().put("nbf", now + 10))).statusCode(),
                "10 s before nbf is within the leeway");
        assertEquals(
                200,
                search(ec.sign(claims().put("exp", now + 600.5))).statusCode(),
                "NumericDate may have a fraction");
        HttpResponse<String> lower =
                gw.send(
                        HttpRequest.newBuilder(gw.uri("/fhir/Observation?patient=" + PATIENT_ID))
                                .header("Authorization", "bearer " + rsa.sign(claims())),
                        null);
        assertEquals(200, lower.statusCode(), "the scheme is case-insensitive (RFC 6750 §2.1)");
    }

    @Test
    void algNoneIsRefused() throws Exception {
        for (String alg : new String[] {"none", "None", "NONE"}) {
            String unsigned =
                    TestKeys.b64(TestKeys.header(alg, "rsa-1").encode())
                            + "."
                            + TestKeys.b64(claims().encode())
                            + ".";
            assertRefused(unsigned, "alg-not-allowed");
            String withRsaSignature =
                    TestKeys.sign(
                            TestKeys.header(alg, "rsa-1"),
                            claims(),
                            "RS256",
                            rsa.pair().getPrivate());
            assertRefused(withRsaSignature, "alg-not-allowed");
        }
    }

    @Test
    void hs256IsRefusedEvenKeyedWithTheRsaPublicKey() throws Exception {
        RSAPublicKey pub = (RSAPublicKey) rsa.pair().getPublic();
        String pem =
                "-----BEGIN PUBLIC KEY-----\n"
                        + Base64.getMimeEncoder(64, new byte[] {'\n'})
                                .encodeToString(pub.getEncoded())
                        + "\n-----END PUBLIC KEY-----\n";
        for (byte[] secret :
                new byte[][] {
                    pub.getEncoded(),
                    pem.getBytes(StandardCharsets.US_ASCII),
                    rsa.jwk().getBytes(StandardCharsets.UTF_8)
                }) {
            assertRefused(
                    TestKeys.sign(TestKeys.header("HS256", "rsa-1"), claims(), "HS256", secret),
                    "alg-not-allowed");
        }
        for (String alg :
                new String[] {"HS384", "HS512", "RS384", "PS256", "ES384", "EdDSA", "rs256"}) {
            assertRefused(
                    TestKeys.sign(
                            TestKeys.header(alg, "rsa-1"),
                            claims(),
                            "RS256",
                            rsa.pair().getPrivate()),
                    "alg-not-allowed");
        }
    }

    @Test
    void aKeyOnlyVerifiesItsOwnAlgorithm() throws Exception {
        // an ES256 signature presented under the RSA key's kid, and the reverse
        assertRefused(
                TestKeys.sign(
                        TestKeys.header("ES256", "rsa-1"),
                        claims(),
                        "ES256",
                        ec.pair().getPrivate()),
                "alg-not-allowed");
        assertRefused(
                TestKeys.sign(
                        TestKeys.header("RS256", "ec-1"),
                        claims(),
                        "RS256",
                        rsa.pair().getPrivate()),
                "alg-not-allowed");
    }

    @Test
    void aTokenSignedWithAnotherKeyIsRefused() throws Exception {
        TestKeys.SigningKey impostorRsa = TestKeys.rsa("rsa-1");
        TestKeys.SigningKey impostorEc = TestKeys.ec("ec-1");
        assertRefused(impostorRsa.sign(claims()), "signature-invalid");
        assertRefused(impostorEc.sign(claims()), "signature-invalid");
        assertRefused(TestKeys.rsa("someone-else").sign(claims()), "kid-unknown");
        assertRefused(
                TestKeys.sign(
                        TestKeys.header("RS256", null), claims(), "RS256", rsa.pair().getPrivate()),
                "kid-unknown");
    }

    @Test
    void aTamperedTokenIsRefused() throws Exception {
        String good = ec.sign(TestKeys.patientClaims(PATIENT_ID, "patient/Observation.rs"));
        String[] parts = good.split("\\.");
        String escalated =
                TestKeys.b64(
                        TestKeys.patientClaims(PATIENT_ID, "patient/*.cruds telemetry.admin")
                                .encode());
        assertRefused(parts[0] + "." + escalated + "." + parts[2], "signature-invalid");
        String otherPatient =
                TestKeys.b64(
                        TestKeys.patientClaims("0".repeat(40), "patient/Observation.rs").encode());
        assertRefused(parts[0] + "." + otherPatient + "." + parts[2], "signature-invalid");
        byte[] sig = Base64.getUrlDecoder().decode(parts[2]);
        sig[10] ^= 1;
        assertRefused(
                parts[0]
                        + "."
                        + parts[1]
                        + "."
                        + Base64.getUrlEncoder().withoutPadding().encodeToString(sig),
                "signature-invalid");
    }

    @Test
    void psychicAndMisencodedEcdsaSignaturesAreRefused() throws Exception {
        String input =
                TestKeys.b64(TestKeys.header("ES256", "ec-1").encode())
                        + "."
                        + TestKeys.b64(claims().encode());
        Base64.Encoder b64 = Base64.getUrlEncoder().withoutPadding();
        assertRefused(
                input + "." + b64.encodeToString(new byte[64]),
                "signature-invalid"); // r = s = 0 (CVE-2022-21449)
        byte[] der =
                TestKeys.signature(
                        "ES256", input.getBytes(StandardCharsets.US_ASCII), ec.pair().getPrivate());
        byte[] longer = java.util.Arrays.copyOf(der, 72);
        assertRefused(input + "." + b64.encodeToString(longer), "signature-invalid");
    }

    @Test
    void expiredAndNotYetValidTokensAreRefused() throws Exception {
        long now = System.currentTimeMillis() / 1000;
        assertRefused(ec.sign(claims().put("exp", now - 120)), "token-expired");
        assertRefused(ec.sign(claims().put("nbf", now + 120)), "token-not-yet-valid");
        assertRefused(ec.sign(claims().put("exp", 0)), "token-expired");
    }

    @Test
    void wrongIssuerOrAudienceIsRefused() throws Exception {
        assertRefused(
                ec.sign(claims().put("iss", "https://idp.evil/realms/jkn")), "issuer-invalid");
        assertRefused(ec.sign(claims().put("iss", TestKeys.ISSUER + "/")), "issuer-invalid");
        assertRefused(ec.sign(claims().put("aud", "another-api")), "audience-invalid");
        assertRefused(ec.sign(claims().put("aud", new JsonArray())), "audience-invalid");
        JsonObject noIss = claims();
        noIss.remove("iss");
        assertRefused(ec.sign(noIss), "issuer-invalid");
        JsonObject noAud = claims();
        noAud.remove("aud");
        assertRefused(ec.sign(noAud), "audience-invalid");
    }

    @Test
    void tokensMissingClaimsOrWithClaimsOfTheWrongTypeAreRefused() throws Exception {
        for (String claim : new String[] {"exp", "sub"}) {
            JsonObject c = claims();
            c.remove(claim);
            assertRefused(ec.sign(c), "claims-missing");
        }
        JsonObject nobody = claims();
        nobody.remove("patient");
        assertRefused(ec.sign(nobody), "claims-missing");
        assertRefused(ec.sign(claims().put("patient", "../" + PATIENT_ID)), "claims-missing");
        assertRefused(ec.sign(claims().put("fhirUser", "Patient/someone-else")), "claims-missing");
        assertRefused(ec.sign(claims().put("exp", "tomorrow")), "token-malformed");
        assertRefused(
                ec.sign(claims().put("scope", new JsonArray().add("patient/*.cruds"))),
                "token-malformed");
        assertRefused(ec.sign(claims().put("exp", 1e300)), "token-malformed");
    }

    @Test
    void malformedTokensOfEveryShapeAreRefused() throws Exception {
        String good = ec.sign(claims());
        String[] parts = good.split("\\.");
        String[] malformed = {
            "x",
            "abc",
            "a.b",
            "..",
            "a..c",
            parts[0] + "." + parts[1],
            good + ".extra",
            good + ".",
            parts[0] + "." + parts[1] + ".", // a signature left empty
            parts[0] + "=." + parts[1] + "." + parts[2], // padding is not base64url as JWS has it
            parts[0] + "." + parts[1] + "." + parts[2] + "+/", // base64, not base64url
            "e30." + parts[1] + "." + parts[2], // header {}
            TestKeys.b64("[1,2]") + "." + parts[1] + "." + parts[2],
            TestKeys.b64("not json") + "." + parts[1] + "." + parts[2],
            "\u00e9\u00e9\u00e9." + parts[1] + "." + parts[2],
        };
        for (String t : malformed) {
            HttpResponse<String> r = search(t);
            assertEquals(401, r.statusCode(), t);
            assertTrue(
                    r.headers().firstValue("WWW-Authenticate").orElse("").contains("invalid_token"),
                    t);
        }
        assertRefused(
                TestKeys.sign(
                        TestKeys.header("ES256", "ec-1").put("typ", "JWE"),
                        claims(),
                        "ES256",
                        ec.pair().getPrivate()),
                "token-malformed");
        assertRefused(
                TestKeys.sign(
                        TestKeys.header("ES256", "ec-1").put("crit", new JsonArray().add("exp")),
                        claims(),
                        "ES256",
                        ec.pair().getPrivate()),
                "crit-unsupported");
    }

    @Test
    void duplicateClaimsAreRefusedNotReadOneWayOrTheOther() throws Exception {
        String json = claims().encode();
        String twoPatients =
                json.substring(0, json.length() - 1) + ",\"patient\":\"" + "0".repeat(40) + "\"}";
        String input =
                TestKeys.b64(TestKeys.header("ES256", "ec-1").encode())
                        + "."
                        + TestKeys.b64(twoPatients);
        String token =
                input
                        + "."
                        + Base64.getUrlEncoder()
                                .withoutPadding()
                                .encodeToString(
                                        TestKeys.signature(
                                                "ES256",
                                                input.getBytes(StandardCharsets.US_ASCII),
                                                ec.pair().getPrivate()));
        assertRefused(token, "token-malformed");
    }

    @Test
    void jsonBombsAndHugeTokensCostNothing() throws Exception {
        String deep =
                "[".repeat(1500) + "]".repeat(1500); // deep, yet within the token length limit
        JsonObject c = claims();
        String json = c.encode();
        String bomb = json.substring(0, json.length() - 1) + ",\"x\":" + deep + "}";
        String input =
                TestKeys.b64(TestKeys.header("ES256", "ec-1").encode()) + "." + TestKeys.b64(bomb);
        String token =
                input
                        + "."
                        + Base64.getUrlEncoder()
                                .withoutPadding()
                                .encodeToString(
                                        TestKeys.signature(
                                                "ES256",
                                                input.getBytes(StandardCharsets.US_ASCII),
                                                ec.pair().getPrivate()));
        assertRefused(token, "token-malformed");
        String longest = ec.sign(claims().put("padding", "x".repeat(5_000)));
        HttpResponse<String> r =
                search(longest + "x".repeat(TokenVerifier.MAX_TOKEN_CHARS - longest.length() + 1));
        assertEquals(
                401, r.statusCode(), "one character over the token limit, within the header limit");
        assertTrue(r.headers().firstValue("WWW-Authenticate").orElse("").contains("invalid_token"));
        assertEquals(
                431,
                search(ec.sign(claims().put("padding", "x".repeat(12_000)))).statusCode(),
                "beyond the HTTP header limit the server refuses the request before any handler");
        String deepHeader =
                TestKeys.b64(
                        "{\"alg\":\"ES256\",\"kid\":\"ec-1\",\"x\":"
                                + "[".repeat(2000)
                                + "]".repeat(2000)
                                + "}");
        assertEquals(
                401,
                search(deepHeader + "." + TestKeys.b64(claims().encode()) + ".AAAA").statusCode());
        assertEquals(200, search(ec.sign(claims())).statusCode(), "still serving");
    }

    @Test
    void missingGarbageAndRepeatedAuthorizationHeaders() throws Exception {
        HttpResponse<String> none = search(null);
        assertEquals(401, none.statusCode());
        assertEquals(
                "Bearer realm=\"telemetry\"",
                none.headers().firstValue("WWW-Authenticate").orElse(""),
                "no error code when no credentials were sent (RFC 6750 §3.1)");
        String good = ec.sign(claims());
        String[] headers = {
            "",
            "Bearer",
            "Bearer ",
            "Basic dXNlcjpwYXNz",
            "Token " + good,
            good,
            "Bearer  ",
            "Bearer \u0001\u0002",
            "Bearer " + "A".repeat(9000)
        };
        for (String h : headers) {
            HttpRequest.Builder b =
                    HttpRequest.newBuilder(gw.uri("/fhir/Observation?patient=" + PATIENT_ID));
            try {
                b.header("Authorization", h);
            } catch (IllegalArgumentException e) {
                continue; // the client will not send this one at all
            }
            HttpResponse<String> r = gw.send(b, null);
            assertEquals(401, r.statusCode(), "Authorization of " + h.length() + " characters");
        }
        HttpResponse<String> twice =
                gw.send(
                        HttpRequest.newBuilder(gw.uri("/fhir/Observation?patient=" + PATIENT_ID))
                                .header("Authorization", "Bearer " + good)
                                .header("Authorization", "Bearer " + good),
                        null);
        assertEquals(401, twice.statusCode(), "two Authorization headers are not one credential");
        assertEquals(200, search(good).statusCode(), "still serving");
    }

    @Test
    void refusalsAreCountedByReasonWithoutTheToken() throws Exception {
        String expired = ec.sign(claims().put("exp", 1));
        search(expired);
        String metrics = gw.get("/metrics", null, null).body();
        assertTrue(
                metrics.contains("telemetry_auth_refused_total{reason=\"token-expired\"}"),
                metrics);
        assertFalse(metrics.contains(expired.substring(0, 20)), "no token in metrics");
    }
}
