package org.jkn.telemetry.gateway.auth;

/**
 * Why a bearer token was refused. Stable codes, counted in metrics and asserted by tests; the
 * caller always gets {@code 401} with {@code WWW-Authenticate: Bearer error="invalid_token"} (RFC
 * 6750 §3.1), plus the code as {@code error_description}. None is retryable with the same token
 * except {@link #KEYS_UNAVAILABLE}.
 */
public enum TokenError {
    /**
     * Not three base64url parts of JSON, too long, duplicate members, or a claim of the wrong type.
     */
    MALFORMED("token-malformed"),
    /**
     * {@code alg} other than RS256 or ES256 ({@code none}, HS256...), or not the algorithm of its
     * key.
     */
    ALG_NOT_ALLOWED("alg-not-allowed"),
    /** No {@code kid}, or one the JWKS does not hold (after a refresh, for a JWKS URL). */
    KID_UNKNOWN("kid-unknown"),
    /** The signature does not verify with the key named: a wrong key or a changed token. */
    SIGNATURE_INVALID("signature-invalid"),
    /** {@code exp} is past (beyond the leeway). */
    EXPIRED("token-expired"),
    /** {@code nbf} is ahead (beyond the leeway). */
    NOT_YET_VALID("token-not-yet-valid"),
    ISSUER_INVALID("issuer-invalid"),
    AUDIENCE_INVALID("audience-invalid"),
    /** {@code exp} or {@code sub} missing, or nothing saying whom the token speaks for. */
    CLAIMS_MISSING("claims-missing"),
    /** A {@code crit} header: no JWS extension is understood here (RFC 7515 §4.1.11). */
    CRITICAL_UNSUPPORTED("crit-unsupported"),
    /** The JWKS URL could not be fetched for an unknown kid; retrying later may help. */
    KEYS_UNAVAILABLE("keys-unavailable");

    private final String code;

    TokenError(String code) {
        this.code = code;
    }

    public String code() {
        return code;
    }
}
