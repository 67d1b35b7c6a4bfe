package org.jkn.telemetry.normalizer.identity;

import java.nio.charset.StandardCharsets;
import java.security.InvalidKeyException;
import java.security.NoSuchAlgorithmException;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

/**
 * Keyed pseudonyms for national identifiers: HMAC-SHA-256 over a domain label and the identifier,
 * truncated to 160 bits and written as 40 lower-case hex characters (a valid FHIR id). Without the
 * key the pseudonym cannot be reversed or recomputed from a guessed NIK.
 *
 * <p>Thread-safe: each call uses its own {@link Mac} (cloned from a prototype, which is cheap).
 */
public final class Pseudonymizer {

    public static final int MIN_KEY_BYTES = 32;
    private static final int OUTPUT_BYTES = 20;
    private static final char[] HEX = "0123456789abcdef".toCharArray();

    private final Mac prototype;

    public Pseudonymizer(byte[] key) {
        if (key == null || key.length < MIN_KEY_BYTES) {
            throw new IllegalArgumentException(
                    "pseudonym key must be at least " + MIN_KEY_BYTES + " bytes");
        }
        try {
            prototype = Mac.getInstance("HmacSHA256");
            prototype.init(new SecretKeySpec(key, "HmacSHA256"));
        } catch (NoSuchAlgorithmException | InvalidKeyException e) {
            throw new IllegalStateException("HmacSHA256 unavailable", e);
        }
    }

    /** Pseudonym of a NIK; the caller has checked it with {@link Nik#isValid}. */
    public String patientId(String nik) {
        return pseudonym("nik:", nik);
    }

    /**
     * Keyed hash of a device serial number, so a registry can recognise the same physical device
     * again without keeping its serial. The manufacturer is part of it: serials are unique per
     * maker.
     */
    public String deviceSerial(String manufacturer, String serial) {
        return pseudonym("serial:", (manufacturer == null ? "" : manufacturer) + '\0' + serial);
    }

    private String pseudonym(String domain, String value) {
        Mac mac;
        try {
            mac = (Mac) prototype.clone();
        } catch (CloneNotSupportedException e) {
            throw new IllegalStateException("HmacSHA256 provider cannot clone", e);
        }
        mac.update(domain.getBytes(StandardCharsets.US_ASCII));
        byte[] digest = mac.doFinal(value.getBytes(StandardCharsets.UTF_8));
        char[] out = new char[OUTPUT_BYTES * 2];
        for (int i = 0; i < OUTPUT_BYTES; i++) {
            out[2 * i] = HEX[(digest[i] >> 4) & 0xf];
            out[2 * i + 1] = HEX[digest[i] & 0xf];
        }
        return new String(out);
    }
}
