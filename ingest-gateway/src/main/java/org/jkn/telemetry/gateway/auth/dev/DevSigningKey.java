package org.jkn.telemetry.gateway.auth.dev;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.GeneralSecurityException;
import java.security.KeyFactory;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.MessageDigest;
import java.security.PrivateKey;
import java.security.interfaces.ECPrivateKey;
import java.security.interfaces.ECPublicKey;
import java.security.spec.ECGenParameterSpec;
import java.security.spec.PKCS8EncodedKeySpec;
import java.security.spec.X509EncodedKeySpec;
import java.util.Base64;
import org.jkn.telemetry.gateway.auth.Jwks;

/**
 * The development token-signing key: an EC P-256 key pair generated once into {@code
 * DATA_DIR/keys/token-signing.key} (PKCS#8 and X.509 PEM blocks, owner-only), reused across
 * restarts so minted tokens stay valid. Its {@code kid} is the RFC 7638 thumbprint of its public
 * key. Only the dev profile without a configured JWKS uses it; the prod profile never reads or
 * writes it.
 */
public final class DevSigningKey {

    public static final String FILE = "token-signing.key";

    private final String kid;
    private final ECPrivateKey privateKey;
    private final ECPublicKey publicKey;

    private DevSigningKey(ECPrivateKey privateKey, ECPublicKey publicKey) {
        this.privateKey = privateKey;
        this.publicKey = publicKey;
        this.kid = thumbprint(publicKey);
    }

    /** Loads the key from the data directory, generating it on first use. */
    public static DevSigningKey load(Path dataDir) throws IOException {
        Path dir = dataDir.resolve("keys");
        Path file = dir.resolve(FILE);
        try {
            if (Files.exists(file)) {
                return read(Files.readString(file));
            }
            Files.createDirectories(dir);
            KeyPairGenerator g = KeyPairGenerator.getInstance("EC");
            g.initialize(new ECGenParameterSpec("secp256r1"));
            KeyPair pair = g.generateKeyPair();
            Path tmp = dir.resolve(FILE + ".tmp");
            Files.writeString(
                    tmp,
                    pem("PRIVATE KEY", pair.getPrivate().getEncoded())
                            + pem("PUBLIC KEY", pair.getPublic().getEncoded()));
            try {
                Files.setPosixFilePermissions(tmp, PosixFilePermissions.fromString("rw-------"));
            } catch (UnsupportedOperationException e) {
                // not a POSIX file system; the directory's permissions apply
            }
            Files.move(tmp, file, StandardCopyOption.ATOMIC_MOVE);
            return new DevSigningKey(
                    (ECPrivateKey) pair.getPrivate(), (ECPublicKey) pair.getPublic());
        } catch (GeneralSecurityException | IllegalArgumentException e) {
            throw new IOException(
                    "the development signing key "
                            + file
                            + " is unreadable; delete it to make a new one",
                    e);
        }
    }

    private static DevSigningKey read(String text) throws GeneralSecurityException {
        KeyFactory f = KeyFactory.getInstance("EC");
        ECPrivateKey priv =
                (ECPrivateKey)
                        f.generatePrivate(new PKCS8EncodedKeySpec(block(text, "PRIVATE KEY")));
        ECPublicKey pub =
                (ECPublicKey) f.generatePublic(new X509EncodedKeySpec(block(text, "PUBLIC KEY")));
        return new DevSigningKey(priv, pub);
    }

    private static byte[] block(String text, String type) {
        String begin = "-----BEGIN " + type + "-----";
        int from = text.indexOf(begin);
        int to = text.indexOf("-----END " + type + "-----");
        if (from < 0 || to < from) {
            throw new IllegalArgumentException("no " + type + " block");
        }
        return Base64.getMimeDecoder().decode(text.substring(from + begin.length(), to));
    }

    private static String pem(String type, byte[] der) {
        return "-----BEGIN "
                + type
                + "-----\n"
                + Base64.getMimeEncoder(64, new byte[] {'\n'}).encodeToString(der)
                + "\n-----END "
                + type
                + "-----\n";
    }

    public String kid() {
        return kid;
    }

    public PrivateKey privateKey() {
        return privateKey;
    }

    public ECPublicKey publicKey() {
        return publicKey;
    }

    /** The verification key, for a JWKS of one. */
    public Jwks.Key verificationKey() {
        return new Jwks.Key(kid, "ES256", publicKey);
    }

    /** The public JWKS document of this key. */
    public String jwksJson() {
        return "{\"keys\":[" + Jwks.toJson(kid, publicKey) + "]}";
    }

    /** RFC 7638 §3: SHA-256 over the required members in lexicographic order, base64url. */
    private static String thumbprint(ECPublicKey key) {
        Base64.Encoder b64 = Base64.getUrlEncoder().withoutPadding();
        String json =
                "{\"crv\":\"P-256\",\"kty\":\"EC\",\"x\":\""
                        + b64.encodeToString(Jwks.coordinate(key.getW().getAffineX()))
                        + "\",\"y\":\""
                        + b64.encodeToString(Jwks.coordinate(key.getW().getAffineY()))
                        + "\"}";
        try {
            return b64.encodeToString(
                    MessageDigest.getInstance("SHA-256")
                            .digest(json.getBytes(StandardCharsets.US_ASCII)));
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("the JDK has no SHA-256", e);
        }
    }
}
