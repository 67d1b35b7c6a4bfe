package org.jkn.telemetry.store.crypto;

import java.security.GeneralSecurityException;
import java.security.SecureRandom;
import java.util.Arrays;
import java.util.Base64;
import javax.crypto.AEADBadTagException;
import javax.crypto.Cipher;
import javax.crypto.spec.GCMParameterSpec;
import javax.crypto.spec.SecretKeySpec;

/**
 * A KEK held in memory: AES-256-GCM with a random 96-bit nonce per wrap, stored as {@code nonce |
 * ciphertext | tag}. A random nonce is safe here because wraps are few (one per patient key and per
 * rotation), far below the 2^32 invocations NIST SP 800-38D §8.3 allows per key.
 *
 * <p>Thread-safe: each call gets its own {@link Cipher} (wraps are rare, so no reuse is needed).
 */
public final class LocalKek implements KeyEncryptionKey {

    static final int KEY_BYTES = 32;
    private static final int NONCE_BYTES = 12;
    private static final int TAG_BITS = 128;

    private final String id;
    private final SecretKeySpec key;
    private final SecureRandom random = new SecureRandom();

    public LocalKek(String id, byte[] key) {
        if (id == null || !id.matches("[A-Za-z0-9._-]{1,64}")) {
            throw new IllegalArgumentException(
                    "a KEK id is 1-64 characters of letters, digits and . _ -");
        }
        if (key == null || key.length != KEY_BYTES) {
            throw new IllegalArgumentException("a KEK is exactly 32 bytes (AES-256)");
        }
        this.id = id;
        this.key = new SecretKeySpec(key, "AES");
    }

    /** Parses {@code id:base64}; the message of the exception never repeats the key. */
    public static LocalKek parse(String text) {
        int colon = text.indexOf(':');
        if (colon < 1) {
            throw new IllegalArgumentException("a KEK is written id:base64");
        }
        byte[] key;
        try {
            key = Base64.getDecoder().decode(text.substring(colon + 1).trim());
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("the KEK after id: must be base64");
        }
        return new LocalKek(text.substring(0, colon).trim(), key);
    }

    /** A new random KEK, written {@code id:base64} (for development keys). */
    public static String generate(String id) {
        byte[] k = new byte[KEY_BYTES];
        new SecureRandom().nextBytes(k);
        return id + ":" + Base64.getEncoder().encodeToString(k);
    }

    @Override
    public String id() {
        return id;
    }

    @Override
    public byte[] wrap(byte[] dataKey, byte[] context) {
        byte[] out = new byte[NONCE_BYTES + dataKey.length + TAG_BITS / 8];
        byte[] nonce = new byte[NONCE_BYTES];
        random.nextBytes(nonce);
        try {
            Cipher c = Cipher.getInstance("AES/GCM/NoPadding");
            c.init(Cipher.ENCRYPT_MODE, key, new GCMParameterSpec(TAG_BITS, nonce));
            c.updateAAD(context);
            c.doFinal(dataKey, 0, dataKey.length, out, NONCE_BYTES);
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("AES-GCM is unavailable in this JDK", e);
        }
        System.arraycopy(nonce, 0, out, 0, NONCE_BYTES);
        return out;
    }

    @Override
    public byte[] unwrap(byte[] wrapped, byte[] context) {
        if (wrapped == null || wrapped.length < NONCE_BYTES + TAG_BITS / 8) {
            throw new CryptoFailure(
                    CryptoFailure.KEY_UNWRAP_FAILED, "wrapped data key is truncated");
        }
        try {
            Cipher c = Cipher.getInstance("AES/GCM/NoPadding");
            c.init(
                    Cipher.DECRYPT_MODE,
                    key,
                    new GCMParameterSpec(TAG_BITS, Arrays.copyOf(wrapped, NONCE_BYTES)));
            c.updateAAD(context);
            return c.doFinal(wrapped, NONCE_BYTES, wrapped.length - NONCE_BYTES);
        } catch (AEADBadTagException e) {
            throw new CryptoFailure(
                    CryptoFailure.KEY_UNWRAP_FAILED,
                    "wrapped data key failed authentication under KEK " + id);
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("AES-GCM is unavailable in this JDK", e);
        }
    }
}
