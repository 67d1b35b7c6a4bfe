package org.jkn.telemetry.gateway.auth;

import io.vertx.core.json.JsonObject;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.PrivateKey;
import java.security.Signature;
import java.security.interfaces.ECPublicKey;
import java.security.interfaces.RSAPublicKey;
import java.security.spec.ECGenParameterSpec;
import java.time.Duration;
import java.util.Base64;
import java.util.List;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

/**
 * Signing keys of a pretend identity provider, their JWKS, and tokens signed any way at all
 * (correctly, with the wrong key, HS256 keyed with the public key, {@code alg: none}...), so tests
 * can show which of them the gateway refuses.
 */
public final class TestKeys {

    public static final String ISSUER = "https://idp.test/realms/jkn";
    public static final String AUDIENCE = "telemetry-gateway";
    private static final Base64.Encoder B64 = Base64.getUrlEncoder().withoutPadding();

    /** A key pair with its kid and algorithm (RS256 or ES256). */
    public record SigningKey(String kid, String alg, KeyPair pair) {
        public String jwk() {
            if (alg.equals("RS256")) {
                RSAPublicKey k = (RSAPublicKey) pair.getPublic();
                return new JsonObject()
                        .put("kty", "RSA")
                        .put("use", "sig")
                        .put("alg", "RS256")
                        .put("kid", kid)
                        .put("n", B64.encodeToString(unsigned(k.getModulus().toByteArray())))
                        .put("e", B64.encodeToString(unsigned(k.getPublicExponent().toByteArray())))
                        .encode();
            }
            return Jwks.toJson(kid, (ECPublicKey) pair.getPublic());
        }

        /** A token signed correctly with this key. */
        public String sign(JsonObject claims) {
            return TestKeys.sign(header(alg, kid), claims, alg, pair.getPrivate());
        }
    }

    private TestKeys() {}

    public static SigningKey rsa(String kid) {
        try {
            KeyPairGenerator g = KeyPairGenerator.getInstance("RSA");
            g.initialize(2048);
            return new SigningKey(kid, "RS256", g.generateKeyPair());
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException(e);
        }
    }

    public static SigningKey ec(String kid) {
        try {
            KeyPairGenerator g = KeyPairGenerator.getInstance("EC");
            g.initialize(new ECGenParameterSpec("secp256r1"));
            return new SigningKey(kid, "ES256", g.generateKeyPair());
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException(e);
        }
    }

    public static String jwks(List<SigningKey> keys) {
        StringBuilder b = new StringBuilder("{\"keys\":[");
        for (int i = 0; i < keys.size(); i++) {
            b.append(i == 0 ? "" : ",").append(keys.get(i).jwk());
        }
        return b.append("]}").toString();
    }

    public static Path writeJwks(Path file, List<SigningKey> keys) throws IOException {
        Files.writeString(file, jwks(keys));
        return file;
    }

    /** Claims an identity provider would issue for a patient of this id, valid for ten minutes. */
    public static JsonObject patientClaims(String patientId, String scope) {
        return claims("patient-" + patientId, scope, Duration.ofMinutes(10))
                .put("patient", patientId);
    }

    public static JsonObject claims(String sub, String scope, Duration ttl) {
        long now = System.currentTimeMillis() / 1000;
        return new JsonObject()
                .put("iss", ISSUER)
                .put("aud", AUDIENCE)
                .put("sub", sub)
                .put("iat", now)
                .put("exp", now + ttl.toSeconds())
                .put("scope", scope);
    }

    public static JsonObject header(String alg, String kid) {
        JsonObject h = new JsonObject().put("alg", alg).put("typ", "JWT");
        return kid == null ? h : h.put("kid", kid);
    }

    public static String b64(String json) {
        return B64.encodeToString(json.getBytes(StandardCharsets.UTF_8));
    }

    /**
     * Signs header and claims with RS256/ES256 (a private key), HS256 (a byte[] secret), or not at
     * all (none).
     */
    public static String sign(JsonObject header, JsonObject claims, String alg, Object key) {
        String input = b64(header.encode()) + "." + b64(claims.encode());
        return input
                + "."
                + B64.encodeToString(
                        signature(alg, input.getBytes(StandardCharsets.US_ASCII), key));
    }

    public static byte[] signature(String alg, byte[] input, Object key) {
        try {
            switch (alg) {
                case "none":
                    return new byte[0];
                case "HS256":
                    {
                        Mac mac = Mac.getInstance("HmacSHA256");
                        mac.init(new SecretKeySpec((byte[]) key, "HmacSHA256"));
                        return mac.doFinal(input);
                    }
                default:
                    {
                        Signature s =
                                Signature.getInstance(
                                        alg.equals("RS256")
                                                ? "SHA256withRSA"
                                                : "SHA256withECDSAinP1363Format");
                        s.initSign((PrivateKey) key);
                        s.update(input);
                        return s.sign();
                    }
            }
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException(e);
        }
    }

    private static byte[] unsigned(byte[] twosComplement) {
        if (twosComplement.length > 1 && twosComplement[0] == 0) {
            return java.util.Arrays.copyOfRange(twosComplement, 1, twosComplement.length);
        }
        return twosComplement;
    }
}
