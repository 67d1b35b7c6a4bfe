package org.jkn.telemetry.store.device;

import java.security.GeneralSecurityException;
import java.security.MessageDigest;
import java.security.SecureRandom;
import java.util.Arrays;
import javax.crypto.SecretKeyFactory;
import javax.crypto.spec.PBEKeySpec;

/**
 * Slow, salted hashing of device secrets with the JDK's PBKDF2WithHmacSHA256: a random 16-byte salt
 * per secret and at least {@link #MIN_ITERATIONS} iterations (OWASP's 2023 figure for
 * PBKDF2-HMAC-SHA256). Verification compares in constant time.
 *
 * <p>Thread-safe. Each hash or verification costs on the order of 100 ms of CPU by design: call it
 * from a worker thread, never an event loop, and bound how many run at once.
 */
public final class SecretHasher {

    public static final int MIN_ITERATIONS = 210_000;
    private static final int SALT_BYTES = 16;
    private static final int HASH_BITS = 256;

    private final SecureRandom random = new SecureRandom();
    private final int iterations;

    public SecretHasher() {
        this(MIN_ITERATIONS);
    }

    public SecretHasher(int iterations) {
        if (iterations < MIN_ITERATIONS) {
            throw new IllegalArgumentException("PBKDF2 iterations must be >= " + MIN_ITERATIONS);
        }
        this.iterations = iterations;
    }

    public SecretHash hash(String secret) {
        byte[] salt = new byte[SALT_BYTES];
        random.nextBytes(salt);
        return new SecretHash(salt, iterations, derive(secret, salt, iterations));
    }

    /** True when the secret matches; the comparison takes the same time wherever they differ. */
    public boolean verify(String secret, SecretHash stored) {
        byte[] actual = derive(secret, stored.salt(), stored.iterations());
        return MessageDigest.isEqual(actual, stored.hash());
    }

    private static byte[] derive(String secret, byte[] salt, int iterations) {
        char[] chars = secret.toCharArray();
        PBEKeySpec spec = new PBEKeySpec(chars, salt, iterations, HASH_BITS);
        try {
            return SecretKeyFactory.getInstance("PBKDF2WithHmacSHA256")
                    .generateSecret(spec)
                    .getEncoded();
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("PBKDF2WithHmacSHA256 is unavailable in this JDK", e);
        } finally {
            spec.clearPassword();
            Arrays.fill(chars, '\0');
        }
    }
}
