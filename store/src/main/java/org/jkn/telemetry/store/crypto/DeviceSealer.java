package org.jkn.telemetry.store.crypto;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import javax.crypto.AEADBadTagException;
import javax.crypto.Cipher;
import javax.crypto.spec.GCMParameterSpec;

/**
 * Seals what a device registration says in free text (manufacturer and model, 1-128 characters
 * each, typed by whoever registers the device) under the patient's data key, as readings are:
 * AES-256-GCM, a nonce from the process's {@link NonceSource}, and associated data binding the
 * ciphertext to its patient, device id and key version, so a sealed value moved to another device
 * or patient fails to open. An erasure destroys the key, so these become unreadable with the
 * readings. Cold path (registration, an uncached login): allocates freely. Thread-safe.
 *
 * <p>Format: version byte {@code 1}, 12-byte nonce, ciphertext with its 16-byte tag. Plaintext: for
 * manufacturer then model, a signed 16-bit UTF-8 length ({@code -1} for absent) and the bytes.
 */
public final class DeviceSealer {

    private static final byte VERSION = 1;
    private static final byte[] CONTEXT =
            "jkn-telemetry/registered-device/1".getBytes(StandardCharsets.US_ASCII);
    private static final int TAG_BYTES = SealSession.TAG_BITS / 8;

    /** Sealed attributes and the version of the patient's key that sealed them. */
    public record Sealed(int keyVersion, byte[] bytes) {}

    /** Opened attributes; either may be null (not given at registration). */
    public record Attributes(String manufacturer, String model) {}

    private final DataKeys keys;
    private final NonceSource nonces;

    public DeviceSealer(ReadingCrypto crypto) {
        this.keys = crypto.keys();
        this.nonces = crypto.nonces();
    }

    /**
     * Seals under the patient's current data key (created on first use); blocking on a key-cache
     * miss.
     */
    public Sealed seal(String patientId, String deviceId, String manufacturer, String model) {
        DataKey key = keys.current(patientId);
        byte[] m = manufacturer == null ? null : manufacturer.getBytes(StandardCharsets.UTF_8);
        byte[] d = model == null ? null : model.getBytes(StandardCharsets.UTF_8);
        ByteBuffer plain = ByteBuffer.allocate(4 + length(m) + length(d));
        put(plain, m);
        put(plain, d);
        byte[] out = new byte[1 + NonceSource.NONCE_BYTES + plain.capacity() + TAG_BYTES];
        out[0] = VERSION;
        nonces.next(out, 1);
        try {
            Cipher c = Cipher.getInstance("AES/GCM/NoPadding");
            c.init(
                    Cipher.ENCRYPT_MODE,
                    key.key(),
                    new GCMParameterSpec(SealSession.TAG_BITS, out, 1, NonceSource.NONCE_BYTES));
            c.updateAAD(aad(patientId, deviceId, key.version()));
            c.doFinal(plain.array(), 0, plain.capacity(), out, 1 + NonceSource.NONCE_BYTES);
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("AES-GCM is unavailable in this JDK", e);
        }
        return new Sealed(key.version(), out);
    }

    /**
     * Opens what {@link #seal} made for this patient and device; {@link CryptoFailure} {@code
     * decryption-failed} when it was altered or belongs elsewhere, {@code key-destroyed} after an
     * erasure. Never returns wrong attributes.
     */
    public Attributes open(String patientId, String deviceId, int keyVersion, byte[] sealed) {
        if (sealed == null
                || sealed.length < 1 + NonceSource.NONCE_BYTES + TAG_BYTES
                || sealed[0] != VERSION) {
            throw new CryptoFailure(
                    CryptoFailure.DECRYPTION_FAILED, "sealed device attributes are malformed");
        }
        DataKey key = keys.version(patientId, keyVersion);
        byte[] plain;
        try {
            Cipher c = Cipher.getInstance("AES/GCM/NoPadding");
            c.init(
                    Cipher.DECRYPT_MODE,
                    key.key(),
                    new GCMParameterSpec(SealSession.TAG_BITS, sealed, 1, NonceSource.NONCE_BYTES));
            c.updateAAD(aad(patientId, deviceId, keyVersion));
            int from = 1 + NonceSource.NONCE_BYTES;
            plain = c.doFinal(sealed, from, sealed.length - from);
        } catch (AEADBadTagException e) {
            throw new CryptoFailure(
                    CryptoFailure.DECRYPTION_FAILED,
                    "sealed device attributes do not authenticate");
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("AES-GCM is unavailable in this JDK", e);
        }
        ByteBuffer in = ByteBuffer.wrap(plain);
        try {
            return new Attributes(get(in), get(in));
        } catch (RuntimeException e) {
            // authenticated but not what seal writes: a bug, never data to serve
            throw new CryptoFailure(
                    CryptoFailure.DECRYPTION_FAILED,
                    "sealed device attributes have an unknown layout");
        }
    }

    private static byte[] aad(String patientId, String deviceId, int keyVersion) {
        byte[] p = patientId.getBytes(StandardCharsets.UTF_8);
        byte[] d = deviceId.getBytes(StandardCharsets.UTF_8);
        return ByteBuffer.allocate(CONTEXT.length + 2 + p.length + 2 + d.length + 4)
                .put(CONTEXT)
                .putShort((short) p.length)
                .put(p)
                .putShort((short) d.length)
                .put(d)
                .putInt(keyVersion)
                .array();
    }

    private static int length(byte[] b) {
        return b == null ? 0 : b.length;
    }

    private static void put(ByteBuffer out, byte[] b) {
        if (b == null) {
            out.putShort((short) -1);
        } else {
            out.putShort((short) b.length).put(b);
        }
    }

    private static String get(ByteBuffer in) {
        short n = in.getShort();
        if (n == -1) {
            return null;
        }
        byte[] b = new byte[n];
        in.get(b);
        return new String(b, StandardCharsets.UTF_8);
    }
}
