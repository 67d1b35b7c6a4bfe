package org.jkn.telemetry.gateway.auth;

import java.net.URI;
import java.nio.file.Path;
import java.time.Duration;

/**
 * How bearer tokens are verified. With neither {@code jwksFile} nor {@code jwksUrl} (the dev
 * profile only) the generated development key is the one trusted key and {@code /dev/token} mints
 * tokens.
 *
 * @param jwksFile a JWKS document on disk, read at start-up, or null
 * @param jwksUrl an identity provider's JWKS URL, or null
 * @param issuer the required {@code iss}
 * @param audience a value {@code aud} must hold
 * @param leeway clock skew allowed on {@code exp} and {@code nbf}
 * @param minRefreshInterval JWKS URL: least time between fetches for unknown kids
 * @param refreshInterval JWKS URL: period of the background refresh
 * @param endpoints the identity provider's OAuth 2 endpoints, published for clients
 */
public record AuthConfig(
        Path jwksFile,
        URI jwksUrl,
        String issuer,
        String audience,
        Duration leeway,
        Duration minRefreshInterval,
        Duration refreshInterval,
        OAuthEndpoints endpoints) {

    public AuthConfig {
        if (jwksFile != null && jwksUrl != null) {
            throw new IllegalArgumentException("a JWKS file or a JWKS URL, not both");
        }
        if (issuer == null || issuer.isEmpty() || audience == null || audience.isEmpty()) {
            throw new IllegalArgumentException("an issuer and an audience are required");
        }
        if (leeway.isNegative() || leeway.compareTo(Duration.ofMinutes(5)) > 0) {
            throw new IllegalArgumentException("the leeway must be 0-5 minutes");
        }
    }

    /** True when tokens are verified with the generated development key. */
    public boolean development() {
        return jwksFile == null && jwksUrl == null;
    }
}
