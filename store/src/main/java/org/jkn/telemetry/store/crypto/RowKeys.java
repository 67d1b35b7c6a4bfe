package org.jkn.telemetry.store.crypto;

import java.nio.charset.StandardCharsets;
import java.security.InvalidKeyException;
import java.security.NoSuchAlgorithmException;
import javax.crypto.Mac;
import javax.crypto.ShortBufferException;
import javax.crypto.spec.SecretKeySpec;

/**
 * Row keys: the idempotency key of a reading (patient, device id, reading id) as a keyed
 * HMAC-SHA-256 truncated to 96 bits, so the database and journal can recognise a re-sent reading
 * without holding its device or reading id, which may be serial numbers. Written as 24 hex
 * characters it is also the key part of the Observation id.
 *
 * <p>Thread-safe; {@link #newMac()} gives an owner its own {@link Mac} for allocation-free use.
 */
public final class RowKeys {

    public static final int BYTES = 12;
    private static final char[] HEX = "0123456789abcdef".toCharArray();
    private static final byte[] DOMAIN = "row-key:".getBytes(StandardCharsets.US_ASCII);

    private final Mac prototype;

    /**
     * @param secret the keyed-pseudonym secret (at least 32 bytes); a domain label keeps these
     *     apart from NIK pseudonyms
     */
    public RowKeys(byte[] secret) {
        if (secret == null || secret.length < 32) {
            throw new IllegalArgumentException("row key secret must be at least 32 bytes");
        }
        try {
            prototype = Mac.getInstance("HmacSHA256");
            prototype.init(new SecretKeySpec(secret, "HmacSHA256"));
        } catch (NoSuchAlgorithmException | InvalidKeyException e) {
            throw new IllegalStateException("HmacSHA256 unavailable", e);
        }
    }

    public Mac newMac() {
        try {
            return (Mac) prototype.clone();
        } catch (CloneNotSupportedException e) {
            throw new IllegalStateException("HmacSHA256 provider cannot clone", e);
        }
    }

    /** The row key as 24 hex characters (cold path: allocates). */
    public String key(String patientId, String deviceId, String readingId) {
        Mac mac = newMac();
        byte[] out = new byte[32];
        compute(
                mac,
                patientId.getBytes(StandardCharsets.UTF_8),
                deviceId.getBytes(StandardCharsets.UTF_8),
                readingId,
                out,
                0);
        return hex(out, 0);
    }

    /**
     * A row key calculator for one thread (it owns its {@link Mac}); cheaper than {@link #key} per
     * call.
     */
    public Hasher hasher() {
        return new Hasher(newMac());
    }

    /** Row keys as hex for one thread at a time. */
    public static final class Hasher {
        private final Mac mac;
        private final byte[] out = new byte[32];
        private String patientId;
        private byte[] patient;

        private Hasher(Mac mac) {
            this.mac = mac;
        }

        public String key(String patientId, String deviceId, String readingId) {
            if (!patientId.equals(this.patientId)) {
                this.patientId = patientId;
                this.patient = patientId.getBytes(StandardCharsets.UTF_8);
            }
            compute(mac, patient, deviceId.getBytes(StandardCharsets.UTF_8), readingId, out, 0);
            return hex(out, 0);
        }
    }

    /**
     * Writes the 32-byte HMAC into {@code out[offset..]}; the first {@link #BYTES} are the row key.
     */
    static void compute(
            Mac mac, byte[] patient, byte[] device, String readingId, byte[] out, int offset) {
        mac.update(DOMAIN);
        mac.update(patient);
        mac.update((byte) 0);
        mac.update(device);
        mac.update((byte) 0);
        // reading ids are checked ASCII ([A-Za-z0-9._:-]); no String.getBytes per reading
        for (int i = 0; i < readingId.length(); i++) {
            mac.update((byte) readingId.charAt(i));
        }
        try {
            mac.doFinal(out, offset);
        } catch (ShortBufferException e) {
            throw new IllegalStateException(e);
        }
    }

    static String hex(byte[] b, int offset) {
        char[] out = new char[BYTES * 2];
        for (int i = 0; i < BYTES; i++) {
            out[2 * i] = HEX[(b[offset + i] >> 4) & 0xf];
            out[2 * i + 1] = HEX[b[offset + i] & 0xf];
        }
        return new String(out);
    }

    /** The 12 bytes of a 24-hex row key, or null when the text is not one. */
    static byte[] parse(String hex) {
        if (hex == null || hex.length() != BYTES * 2) {
            return null;
        }
        byte[] out = new byte[BYTES];
        for (int i = 0; i < BYTES; i++) {
            int hi = Character.digit(hex.charAt(2 * i), 16);
            int lo = Character.digit(hex.charAt(2 * i + 1), 16);
            if (hi < 0 || lo < 0) {
                return null;
            }
            out[i] = (byte) (hi << 4 | lo);
        }
        return out;
    }
}
