package org.jkn.telemetry.benchmarks.auth;

import io.vertx.core.json.JsonObject;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.Signature;
import java.security.spec.ECGenParameterSpec;
import java.time.Clock;
import java.time.Duration;
import java.util.Base64;
import org.jkn.telemetry.benchmarks.BenchmarkBase;
import org.jkn.telemetry.gateway.auth.Jwks;
import org.jkn.telemetry.gateway.auth.KeySource;
import org.jkn.telemetry.gateway.auth.TokenVerifier;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;

/**
 * What authenticating one request costs: verifying a patient token in full the way the gateway does
 * the first time it sees it (split, base64url, header, signature, claims, scopes), for each
 * accepted algorithm; refusing a forged one; and the cache hit that every later request with the
 * same token costs. Scores are operations per second on one thread.
 */
@State(Scope.Benchmark)
public class TokenVerifierBenchmark extends BenchmarkBase {

    @Param({"ES256", "RS256"})
    public String alg;

    private TokenVerifier verifier;
    private TokenVerifier caching;
    private String token;
    private String forged;

    @Setup
    public void setUp() throws Exception {
        KeyPair pair = keyPair(alg);
        KeySource keys = KeySource.of(Jwks.of(new Jwks.Key("k1", alg, pair.getPublic())));
        verifier =
                new TokenVerifier(
                        keys,
                        "https://idp/realms/jkn",
                        "telemetry",
                        Duration.ofSeconds(30),
                        Clock.systemUTC(),
                        0);
        caching =
                new TokenVerifier(
                        keys,
                        "https://idp/realms/jkn",
                        "telemetry",
                        Duration.ofSeconds(30),
                        Clock.systemUTC());
        Base64.Encoder b64 = Base64.getUrlEncoder().withoutPadding();
        String input = signingInput(b64);
        byte[] sig = sign(pair, input);
        token = input + "." + b64.encodeToString(sig);
        sig[5] ^= 1;
        forged = input + "." + b64.encodeToString(sig);
        if (verifier.verify(token).principal() == null
                || verifier.verify(forged).principal() != null) {
            throw new IllegalStateException("the benchmark tokens do not verify as intended");
        }
        caching.verify(token);
        if (caching.cached(token) == null) {
            throw new IllegalStateException("the verified token is not cached");
        }
    }

    private static KeyPair keyPair(String alg) throws GeneralSecurityException {
        if (alg.equals("ES256")) {
            KeyPairGenerator g = KeyPairGenerator.getInstance("EC");
            g.initialize(new ECGenParameterSpec("secp256r1"));
            return g.generateKeyPair();
        }
        KeyPairGenerator g = KeyPairGenerator.getInstance("RSA");
        g.initialize(2048);
        return g.generateKeyPair();
    }

    /** Header and claims of a patient token valid for an hour, base64url, joined by a dot. */
    private String signingInput(Base64.Encoder b64) {
        long now = System.currentTimeMillis() / 1000;
        JsonObject claims =
                new JsonObject()
                        .put("iss", "https://idp/realms/jkn")
                        .put("aud", "telemetry")
                        .put("sub", "patient-1")
                        .put("iat", now)
                        .put("exp", now + 3600)
                        .put("patient", "4af072ff0123456789abcdef0123456789abcdef")
                        .put(
                                "scope",
                                "openid patient/Observation.rs patient/Observation.c patient/Patient.rs patient/Consent.cru");
        return b64.encodeToString(
                        new JsonObject()
                                .put("alg", alg)
                                .put("typ", "JWT")
                                .put("kid", "k1")
                                .encode()
                                .getBytes(StandardCharsets.UTF_8))
                + "."
                + b64.encodeToString(claims.encode().getBytes(StandardCharsets.UTF_8));
    }

    private byte[] sign(KeyPair pair, String input) throws GeneralSecurityException {
        Signature s =
                Signature.getInstance(
                        alg.equals("ES256") ? "SHA256withECDSAinP1363Format" : "SHA256withRSA");
        s.initSign(pair.getPrivate());
        s.update(input.getBytes(StandardCharsets.US_ASCII));
        return s.sign();
    }

    @Benchmark
    public Object verifyValidToken() {
        return verifier.verify(token).principal();
    }

    /**
     * A fresh String each time, as each request brings its own: its hash is computed, not cached.
     */
    @Benchmark
    public Object cachedToken() {
        return caching.cached(new String(token.toCharArray()));
    }

    @Benchmark
    public Object refuseForgedSignature() {
        return verifier.verify(forged).error();
    }
}
