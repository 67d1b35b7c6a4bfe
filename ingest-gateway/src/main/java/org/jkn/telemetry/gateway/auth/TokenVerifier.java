package org.jkn.telemetry.gateway.auth;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.core.StreamReadConstraints;
import com.fasterxml.jackson.core.StreamReadFeature;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.Signature;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Verifies a bearer JWT (RFC 7519, JWS compact form) and says whom it speaks for.
 *
 * <p>Strict on purpose: only RS256 and ES256, each only with a key of its own type from the
 * configured JWKS and chosen by {@code kid} (so {@code alg: none}, HS256 and HS256 keyed with the
 * RSA public key never verify); {@code exp} required, {@code nbf} honoured, both with a small
 * leeway; {@code iss} equal to the configured issuer; {@code aud} holding the configured audience;
 * {@code sub} required; no {@code crit} header; duplicate JSON members refused (two parsers must
 * never read one token differently). Embedded keys ({@code jwk}, {@code jku}, {@code x5u}) are
 * never used.
 *
 * <p>Whom the token speaks for ({@link Principal.Kind}): ADMIN when it has the scope {@link
 * Scopes#ADMIN}; else CLINICIAN when {@code fhirUser} is a {@code Practitioner/} or {@code
 * PractitionerRole/} reference (a {@code patient} launch context is then ignored: the clinician
 * stays a clinician, under consent); else PATIENT when the {@code patient} claim holds a Patient id
 * and {@code fhirUser}, if present, is that same Patient. Anything else is refused.
 *
 * <p>Bad input is a value ({@link Result}), not an exception. Thread-safe. A full verification
 * costs one signature verification and two small JSON reads, no I/O (keys are parsed once by the
 * {@link KeySource}); a token seen before is answered from a bounded cache by {@link #cached}.
 */
public final class TokenVerifier {

    /** Longer Authorization values are refused before any decoding. */
    public static final int MAX_TOKEN_CHARS = 8192;

    /** A verification: a principal, or why not. */
    public record Result(Principal principal, TokenError error) {
        static Result fail(TokenError e) {
            return new Result(null, e);
        }
    }

    private static final JsonFactory JSON =
            JsonFactory.builder()
                    .enable(StreamReadFeature.STRICT_DUPLICATE_DETECTION)
                    .streamReadConstraints(
                            StreamReadConstraints.builder()
                                    .maxNestingDepth(8)
                                    .maxStringLength(MAX_TOKEN_CHARS)
                                    .maxNumberLength(32)
                                    .build())
                    .build();

    /**
     * Verified tokens remembered by default: an app reuses its access token for every request until
     * it expires.
     */
    public static final int DEFAULT_CACHE_SIZE = 10_000;

    /** A token that verified, the key it verified with, and until when it is valid. */
    private record Verified(Principal principal, String kid, Jwks.Key key, long exp) {}

    private final KeySource keys;
    private final String issuer;
    private final String audience;
    private final long leewaySeconds;
    private final Clock clock;
    private final int cacheSize;
    private final ConcurrentHashMap<String, Verified> cache = new ConcurrentHashMap<>();

    public TokenVerifier(
            KeySource keys, String issuer, String audience, Duration leeway, Clock clock) {
        this(keys, issuer, audience, leeway, clock, DEFAULT_CACHE_SIZE);
    }

    /** {@code cacheSize} 0 verifies every token in full every time. */
    public TokenVerifier(
            KeySource keys,
            String issuer,
            String audience,
            Duration leeway,
            Clock clock,
            int cacheSize) {
        if (issuer == null || issuer.isEmpty() || audience == null || audience.isEmpty()) {
            throw new IllegalArgumentException("an issuer and an audience are required");
        }
        this.keys = keys;
        this.issuer = issuer;
        this.audience = audience;
        this.leewaySeconds = leeway.toSeconds();
        this.clock = clock;
        this.cacheSize = cacheSize;
    }

    public KeySource keys() {
        return keys;
    }

    /**
     * The principal of a token that verified before, is not yet expired and whose key the source
     * still holds (the very key object: a JWKS refresh replaces them all, so a withdrawn or
     * replaced key is never trusted from here); null otherwise. A map lookup on the whole token, so
     * only the exact bytes that verified hit. Cheap and non-blocking: safe on an event loop.
     */
    public Principal cached(String token) {
        Verified v = token == null ? null : cache.get(token);
        if (v == null) {
            return null;
        }
        if (clock.millis() / 1000 > v.exp + leewaySeconds || !keyStillTrusted(v)) {
            cache.remove(token);
            return null;
        }
        return v.principal;
    }

    /**
     * The very key object that verified the token is still in the JWKS under its kid (not
     * withdrawn, not replaced).
     */
    @SuppressWarnings("ReferenceEquality")
    private boolean keyStillTrusted(Verified v) {
        return keys.find(v.kid) == v.key;
    }

    /**
     * Verifies a token in full (a signature verification: RS256 tens of microseconds, ES256 up to a
     * few milliseconds on a busy core) and remembers it when it verified.
     */
    public Result verify(String token) {
        if (token == null || token.isEmpty() || token.length() > MAX_TOKEN_CHARS) {
            return Result.fail(TokenError.MALFORMED);
        }
        int dot1 = token.indexOf('.');
        int dot2 = dot1 < 0 ? -1 : token.indexOf('.', dot1 + 1);
        if (dot1 <= 0 || dot2 < 0 || token.indexOf('.', dot2 + 1) >= 0 || dot2 == dot1 + 1) {
            return Result.fail(TokenError.MALFORMED);
        }
        byte[] headerBytes = decode(token, 0, dot1);
        Header header = headerBytes == null ? null : header(headerBytes);
        if (header == null) {
            return Result.fail(TokenError.MALFORMED);
        }
        if (header.crit) {
            return Result.fail(TokenError.CRITICAL_UNSUPPORTED);
        }
        if (!"RS256".equals(header.alg) && !"ES256".equals(header.alg)) {
            return Result.fail(TokenError.ALG_NOT_ALLOWED);
        }
        if (header.kid == null) {
            return Result.fail(TokenError.KID_UNKNOWN);
        }
        Jwks.Key key = keys.find(header.kid);
        if (key == null) {
            return Result.fail(TokenError.KID_UNKNOWN);
        }
        if (!key.alg().equals(header.alg)) {
            return Result.fail(TokenError.ALG_NOT_ALLOWED);
        }
        byte[] signature = decode(token, dot2 + 1, token.length());
        if (signature == null || signature.length == 0) {
            return Result.fail(TokenError.MALFORMED);
        }
        if (!verifySignature(
                key, token.substring(0, dot2).getBytes(StandardCharsets.US_ASCII), signature)) {
            return Result.fail(TokenError.SIGNATURE_INVALID);
        }
        byte[] payload = decode(token, dot1 + 1, dot2);
        Claims c = payload == null ? null : claims(payload);
        if (c == null) {
            return Result.fail(TokenError.MALFORMED);
        }
        Result r = check(c);
        if (r.principal() != null && cacheSize > 0) {
            if (cache.size() >= cacheSize) {
                cache.clear(); // crude but bounded: a burst of full verifications is cheaper
                // than unbounded memory
            }
            cache.put(token, new Verified(r.principal(), header.kid, key, c.exp));
        }
        return r;
    }

    private Result check(Claims c) {
        if (c.exp == null || c.sub == null || c.sub.isEmpty()) {
            return Result.fail(TokenError.CLAIMS_MISSING);
        }
        long now = clock.millis() / 1000;
        if (now > c.exp + leewaySeconds) {
            return Result.fail(TokenError.EXPIRED);
        }
        if (c.nbf != null && now + leewaySeconds < c.nbf) {
            return Result.fail(TokenError.NOT_YET_VALID);
        }
        if (!issuer.equals(c.iss)) {
            return Result.fail(TokenError.ISSUER_INVALID);
        }
        if (!c.aud.contains(audience)) {
            return Result.fail(TokenError.AUDIENCE_INVALID);
        }
        Scopes scopes = Scopes.parse(c.scope);
        if (scopes.has(Scopes.ADMIN)) {
            return new Result(
                    new Principal(Principal.Kind.ADMIN, c.sub, null, null, null, scopes), null);
        }
        if (c.fhirUser != null
                && (c.fhirUser.startsWith("Practitioner/")
                        || c.fhirUser.startsWith("PractitionerRole/"))
                && isReference(c.fhirUser)) {
            String org =
                    c.organization != null
                                    && isReference(c.organization)
                                    && c.organization.startsWith("Organization/")
                            ? c.organization
                            : null;
            return new Result(
                    new Principal(Principal.Kind.CLINICIAN, c.sub, null, c.fhirUser, org, scopes),
                    null);
        }
        if (c.patient != null
                && isFhirId(c.patient)
                && (c.fhirUser == null || c.fhirUser.equals("Patient/" + c.patient))) {
            return new Result(
                    new Principal(
                            Principal.Kind.PATIENT, c.sub, c.patient, c.fhirUser, null, scopes),
                    null);
        }
        return Result.fail(TokenError.CLAIMS_MISSING);
    }

    private static boolean verifySignature(Jwks.Key key, byte[] signingInput, byte[] signature) {
        try {
            Signature s;
            if (key.alg().equals("ES256")) {
                // JOSE carries r || s (RFC 7518 §3.4); the JDK verifies that form directly. r = 0
                // or s = 0
                // is refused outright (the "psychic signature" bug, CVE-2022-21449, accepted them).
                if (signature.length != 64 || isZero(signature, 0) || isZero(signature, 32)) {
                    return false;
                }
                s = Signature.getInstance("SHA256withECDSAinP1363Format");
            } else {
                s = Signature.getInstance("SHA256withRSA");
            }
            s.initVerify(key.key());
            s.update(signingInput);
            return s.verify(signature);
        } catch (GeneralSecurityException | IllegalArgumentException e) {
            return false;
        }
    }

    private static boolean isZero(byte[] b, int from) {
        for (int i = from; i < from + 32; i++) {
            if (b[i] != 0) {
                return false;
            }
        }
        return true;
    }

    /** Strict base64url without padding (RFC 7515 §2), or null. */
    private static byte[] decode(String token, int from, int to) {
        for (int i = from; i < to; i++) {
            char ch = token.charAt(i);
            if (!((ch >= 'A' && ch <= 'Z')
                    || (ch >= 'a' && ch <= 'z')
                    || (ch >= '0' && ch <= '9')
                    || ch == '-'
                    || ch == '_')) {
                return null;
            }
        }
        if ((to - from) % 4 == 1) {
            return null;
        }
        try {
            return Base64.getUrlDecoder().decode(token.substring(from, to));
        } catch (IllegalArgumentException e) {
            return null;
        }
    }

    private static final class Header {
        String alg;
        String kid;
        boolean crit;
    }

    private static Header header(byte[] json) {
        Header h = new Header();
        return readObject(
                        json,
                        (name, t, p) -> {
                            switch (name) {
                                case "alg" -> h.alg = string(p, t);
                                case "kid" -> h.kid = string(p, t);
                                case "typ" -> {
                                    String typ = string(p, t);
                                    if (!typ.equalsIgnoreCase("JWT")
                                            && !typ.equalsIgnoreCase("at+jwt")
                                            && !typ.equalsIgnoreCase("application/at+jwt")) {
                                        throw new WrongType();
                                    }
                                }
                                case "crit" -> {
                                    h.crit = true;
                                    p.skipChildren();
                                }
                                default -> p.skipChildren();
                            }
                        })
                ? h
                : null;
    }

    private static final class Claims {
        String iss;
        String sub;
        final List<String> aud = new ArrayList<>(2);
        Long exp;
        Long nbf;
        String scope;
        String patient;
        String fhirUser;
        String organization;
    }

    private static Claims claims(byte[] json) {
        Claims c = new Claims();
        return readObject(
                        json,
                        (name, t, p) -> {
                            switch (name) {
                                case "iss" -> c.iss = string(p, t);
                                case "sub" -> c.sub = string(p, t);
                                case "aud" -> {
                                    if (t == JsonToken.START_ARRAY) {
                                        for (JsonToken e = p.nextToken();
                                                e != JsonToken.END_ARRAY;
                                                e = p.nextToken()) {
                                            c.aud.add(string(p, e));
                                        }
                                    } else {
                                        c.aud.add(string(p, t));
                                    }
                                }
                                case "exp" -> c.exp = seconds(p, t);
                                case "nbf" -> c.nbf = seconds(p, t);
                                case "scope" -> c.scope = string(p, t);
                                case "patient" -> c.patient = string(p, t);
                                case "fhirUser" -> c.fhirUser = string(p, t);
                                case "organization" -> c.organization = string(p, t);
                                default -> p.skipChildren();
                            }
                        })
                ? c
                : null;
    }

    /** Reads one member of a JSON object; the parser stands on its value. */
    @FunctionalInterface
    private interface Member {
        void read(String name, JsonToken value, JsonParser p) throws IOException, WrongType;
    }

    /**
     * Reads a JSON object (a JWT header or claims set) member by member; false when it is not one
     * object alone, has a duplicate member, or a member is refused ({@link WrongType}).
     */
    private static boolean readObject(byte[] json, Member member) {
        try (JsonParser p = JSON.createParser(json)) {
            if (p.nextToken() != JsonToken.START_OBJECT) {
                return false;
            }
            while (p.nextToken() == JsonToken.FIELD_NAME) {
                String name = p.currentName();
                member.read(name, p.nextToken(), p);
            }
            return p.nextToken() == null;
        } catch (IOException | WrongType e) {
            return false;
        }
    }

    /** A member of the wrong JSON type or value: the token is malformed, whatever else it says. */
    private static final class WrongType extends Exception {
        WrongType() {
            super(null, null, false, false);
        }
    }

    private static String string(JsonParser p, JsonToken t) throws IOException, WrongType {
        if (t != JsonToken.VALUE_STRING) {
            throw new WrongType();
        }
        return p.getText();
    }

    /** NumericDate (RFC 7519 §2): seconds, possibly with a fraction, which is dropped. */
    private static long seconds(JsonParser p, JsonToken t) throws IOException, WrongType {
        if (t == JsonToken.VALUE_NUMBER_INT) {
            return p.getLongValue();
        }
        if (t == JsonToken.VALUE_NUMBER_FLOAT) {
            double d = p.getDoubleValue();
            if (!Double.isFinite(d) || Math.abs(d) > 1e15) {
                throw new WrongType();
            }
            return (long) Math.floor(d);
        }
        throw new WrongType();
    }

    /** A FHIR id: 1-64 of {@code A-Z a-z 0-9 - .}. */
    static boolean isFhirId(String s) {
        if (s.isEmpty() || s.length() > 64) {
            return false;
        }
        for (int i = 0; i < s.length(); i++) {
            char ch = s.charAt(i);
            if (!((ch >= 'A' && ch <= 'Z')
                    || (ch >= 'a' && ch <= 'z')
                    || (ch >= '0' && ch <= '9')
                    || ch == '-'
                    || ch == '.')) {
                return false;
            }
        }
        return true;
    }

    /** {@code Type/id} with a FHIR id. */
    private static boolean isReference(String s) {
        int slash = s.indexOf('/');
        return slash > 0 && isFhirId(s.substring(slash + 1));
    }
}
