package org.jkn.telemetry.gateway.auth;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.core.StreamReadConstraints;
import com.fasterxml.jackson.core.StreamReadFeature;
import java.io.IOException;
import java.math.BigInteger;
import java.security.AlgorithmParameters;
import java.security.GeneralSecurityException;
import java.security.KeyFactory;
import java.security.PublicKey;
import java.security.interfaces.ECPublicKey;
import java.security.interfaces.RSAPublicKey;
import java.security.spec.ECGenParameterSpec;
import java.security.spec.ECParameterSpec;
import java.security.spec.ECPoint;
import java.security.spec.ECPublicKeySpec;
import java.security.spec.RSAPublicKeySpec;
import java.util.Base64;
import java.util.HashMap;
import java.util.Map;

/**
 * A JSON Web Key Set (RFC 7517) reduced to what verification needs: signing keys by {@code kid},
 * each bound to the one algorithm it may verify. RSA keys (2048 bits or more) verify RS256 only, EC
 * P-256 keys ES256 only, so no token can choose how its key is used (the key-confusion attack needs
 * exactly that). Keys for encryption ({@code use: enc}), of other types or curves, without a {@code
 * kid}, or whose {@code alg} names another algorithm are left out. Immutable.
 */
public final class Jwks {

    /** A verification key and the only JWS algorithm it verifies. */
    public record Key(String kid, String alg, PublicKey key) {}

    /** Larger documents are refused: a JWKS holds a handful of keys. */
    public static final int MAX_BYTES = 64 * 1024;

    public static final int MAX_KEYS = 64;
    private static final int MIN_RSA_BITS = 2048;

    private static final JsonFactory JSON =
            JsonFactory.builder()
                    .enable(StreamReadFeature.STRICT_DUPLICATE_DETECTION)
                    .streamReadConstraints(
                            StreamReadConstraints.builder()
                                    .maxNestingDepth(8)
                                    .maxStringLength(16 * 1024)
                                    .build())
                    .build();
    private static final ECParameterSpec P256 = p256();

    private final Map<String, Key> keys;

    private Jwks(Map<String, Key> keys) {
        this.keys = Map.copyOf(keys);
    }

    /** The key with this id, or null. */
    public Key find(String kid) {
        return keys.get(kid);
    }

    public int size() {
        return keys.size();
    }

    /** Parses a JWKS document; throws with a short reason (no key material) when it is not one. */
    public static Jwks parse(byte[] document) {
        if (document.length > MAX_BYTES) {
            throw new IllegalArgumentException("the JWKS is larger than " + MAX_BYTES + " bytes");
        }
        Map<String, Key> keys = new HashMap<>();
        try (JsonParser p = JSON.createParser(document)) {
            if (p.nextToken() != JsonToken.START_OBJECT) {
                throw new IllegalArgumentException("a JWKS is a JSON object with a keys array");
            }
            boolean sawKeys = false;
            while (p.nextToken() == JsonToken.FIELD_NAME) {
                String field = p.currentName();
                JsonToken t = p.nextToken();
                if (!field.equals("keys")) {
                    p.skipChildren();
                    continue;
                }
                if (t != JsonToken.START_ARRAY) {
                    throw new IllegalArgumentException("keys must be an array");
                }
                sawKeys = true;
                while (p.nextToken() == JsonToken.START_OBJECT) {
                    Key k = key(readStrings(p));
                    if (k != null) {
                        if (keys.size() >= MAX_KEYS) {
                            throw new IllegalArgumentException(
                                    "the JWKS holds more than " + MAX_KEYS + " keys");
                        }
                        if (keys.putIfAbsent(k.kid(), k) != null) {
                            throw new IllegalArgumentException("two keys share one kid");
                        }
                    }
                }
            }
            if (!sawKeys) {
                throw new IllegalArgumentException("a JWKS is a JSON object with a keys array");
            }
        } catch (IOException e) {
            throw new IllegalArgumentException("the JWKS is not valid JSON");
        }
        return new Jwks(keys);
    }

    /** Builds a JWKS from keys in hand (the development key, tests). */
    public static Jwks of(Key... keys) {
        Map<String, Key> m = new HashMap<>();
        for (Key k : keys) {
            m.put(k.kid(), k);
        }
        return new Jwks(m);
    }

    /** The string members of one JWK object; nested values are skipped. */
    private static Map<String, String> readStrings(JsonParser p) throws IOException {
        Map<String, String> m = new HashMap<>();
        while (p.nextToken() == JsonToken.FIELD_NAME) {
            String name = p.currentName();
            JsonToken t = p.nextToken();
            if (t == JsonToken.VALUE_STRING) {
                m.put(name, p.getText());
            } else {
                p.skipChildren();
            }
        }
        return m;
    }

    private static Key key(Map<String, String> jwk) {
        String kid = jwk.get("kid");
        String use = jwk.get("use");
        String alg = jwk.get("alg");
        if (kid == null || kid.isEmpty() || (use != null && !use.equals("sig"))) {
            return null;
        }
        try {
            switch (String.valueOf(jwk.get("kty"))) {
                case "RSA" -> {
                    if (alg != null && !alg.equals("RS256")) {
                        return null;
                    }
                    RSAPublicKey k =
                            (RSAPublicKey)
                                    KeyFactory.getInstance("RSA")
                                            .generatePublic(
                                                    new RSAPublicKeySpec(
                                                            unsigned(jwk.get("n")),
                                                            unsigned(jwk.get("e"))));
                    return k.getModulus().bitLength() < MIN_RSA_BITS
                            ? null
                            : new Key(kid, "RS256", k);
                }
                case "EC" -> {
                    if (!"P-256".equals(jwk.get("crv")) || (alg != null && !alg.equals("ES256"))) {
                        return null;
                    }
                    ECPoint w = new ECPoint(unsigned(jwk.get("x")), unsigned(jwk.get("y")));
                    if (!onCurve(w)) {
                        return null; // not a P-256 key at all (invalid-curve attacks start with
                        // such points)
                    }
                    return new Key(
                            kid,
                            "ES256",
                            KeyFactory.getInstance("EC")
                                    .generatePublic(new ECPublicKeySpec(w, P256)));
                }
                default -> {
                    return null;
                }
            }
        } catch (GeneralSecurityException
                | IllegalArgumentException
                | NullPointerException
                | ClassCastException e) {
            return null;
        }
    }

    /**
     * y² = x³ + ax + b (mod p), with both coordinates in the field: the JDK's key factory does not
     * check it.
     */
    private static boolean onCurve(ECPoint w) {
        BigInteger p = ((java.security.spec.ECFieldFp) P256.getCurve().getField()).getP();
        BigInteger x = w.getAffineX();
        BigInteger y = w.getAffineY();
        if (x.signum() < 0 || y.signum() < 0 || x.compareTo(p) >= 0 || y.compareTo(p) >= 0) {
            return false;
        }
        BigInteger left = y.multiply(y).mod(p);
        BigInteger right =
                x.pow(3).add(P256.getCurve().getA().multiply(x)).add(P256.getCurve().getB()).mod(p);
        return left.equals(right);
    }

    private static BigInteger unsigned(String base64url) {
        return new BigInteger(1, Base64.getUrlDecoder().decode(base64url));
    }

    /** The public JWK of a development key, as served in a JWKS document. */
    public static String toJson(String kid, ECPublicKey key) {
        Base64.Encoder b64 = Base64.getUrlEncoder().withoutPadding();
        return "{\"kty\":\"EC\",\"crv\":\"P-256\",\"use\":\"sig\",\"alg\":\"ES256\",\"kid\":\""
                + kid
                + "\",\"x\":\""
                + b64.encodeToString(coordinate(key.getW().getAffineX()))
                + "\",\"y\":\""
                + b64.encodeToString(coordinate(key.getW().getAffineY()))
                + "\"}";
    }

    /** A P-256 coordinate as exactly 32 bytes, as RFC 7518 §6.2.1.2 requires. */
    public static byte[] coordinate(BigInteger v) {
        byte[] raw = v.toByteArray();
        byte[] out = new byte[32];
        int n = Math.min(raw.length, 32);
        System.arraycopy(raw, raw.length - n, out, 32 - n, n);
        return out;
    }

    static ECParameterSpec p256Spec() {
        return P256;
    }

    private static ECParameterSpec p256() {
        try {
            AlgorithmParameters params = AlgorithmParameters.getInstance("EC");
            params.init(new ECGenParameterSpec("secp256r1"));
            return params.getParameterSpec(ECParameterSpec.class);
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("the JDK has no P-256", e);
        }
    }
}
