package org.jkn.telemetry.gateway.auth;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;

import io.vertx.core.json.JsonObject;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;

/**
 * The verified-token cache: it answers only for the exact token, only until it expires, only while
 * its key is held.
 */
class TokenVerifierTest {

    final AtomicLong nowMillis = new AtomicLong(System.currentTimeMillis());
    final Clock clock =
            new Clock() {
                @Override
                public ZoneOffset getZone() {
                    return ZoneOffset.UTC;
                }

                @Override
                public Clock withZone(java.time.ZoneId zone) {
                    return this;
                }

                @Override
                public Instant instant() {
                    return Instant.ofEpochMilli(nowMillis.get());
                }
            };
    final TestKeys.SigningKey key = TestKeys.ec("k1");

    private TokenVerifier verifier(int cacheSize) {
        return new TokenVerifier(
                KeySource.of(Jwks.of(new Jwks.Key("k1", "ES256", key.pair().getPublic()))),
                TestKeys.ISSUER,
                TestKeys.AUDIENCE,
                Duration.ZERO,
                clock,
                cacheSize);
    }

    private String token(long ttlSeconds) {
        long now = nowMillis.get() / 1000;
        JsonObject c =
                TestKeys.patientClaims("p1", "patient/Observation.rs")
                        .put("iat", now)
                        .put("exp", now + ttlSeconds);
        return key.sign(c);
    }

    @Test
    void aVerifiedTokenIsRememberedUntilItExpires() {
        TokenVerifier v = verifier(10);
        String t = token(60);
        assertNull(v.cached(t), "never seen");
        assertNotNull(v.verify(t).principal());
        assertEquals("p1", v.cached(t).patientId());
        nowMillis.addAndGet(61_000);
        assertNull(v.cached(t), "expired tokens are not answered from the cache");
        assertEquals(TokenError.EXPIRED, v.verify(t).error());
    }

    @Test
    void refusedTokensAreNeverRemembered() {
        TokenVerifier v = verifier(10);
        String t = token(60);
        // flip a character in the middle of the signature: the last character of base64url may
        // carry
        // only padding bits, and changing those leaves the decoded signature (and its validity) as
        // it was
        int at = t.lastIndexOf('.') + 10;
        String tampered =
                t.substring(0, at) + (t.charAt(at) == 'A' ? 'B' : 'A') + t.substring(at + 1);
        assertNull(v.verify(tampered).principal());
        assertNull(v.cached(tampered));
    }

    @Test
    void theCacheStaysBoundedAndCanBeOff() {
        TokenVerifier v = verifier(3);
        String first = token(60);
        v.verify(first);
        for (int i = 0; i < 3; i++) {
            v.verify(token(60 + i));
        }
        assertNull(v.cached(first), "cleared when full");
        TokenVerifier off = verifier(0);
        String t = token(60);
        assertNotNull(off.verify(t).principal());
        assertNull(off.cached(t));
    }
}
