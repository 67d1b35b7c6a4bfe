package org.jkn.telemetry.store.crypto;

import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.util.Arrays;
import javax.crypto.AEADBadTagException;
import javax.crypto.Cipher;
import javax.crypto.spec.GCMParameterSpec;
import org.jkn.telemetry.normalizer.catalog.ReadingType;

/**
 * AES-256-GCM over whole blocks and journal batches: one nonce and one tag per block instead of per
 * reading. Sealed bytes are {@code nonce (12) | ciphertext | tag (16)}. The associated data binds a
 * block to its row (patient, type, window start, key version) and a journal batch to its record
 * header (patient, key version, received time, reading count), so neither opens anywhere else; the
 * first byte of the associated data keeps the two kinds apart.
 *
 * <p>Not thread-safe: one per thread (it owns its {@link Cipher} and buffers).
 */
public final class BlockCipher {

    private static final int TAG_BITS = 128;
    private static final int TAG_BYTES = TAG_BITS / 8;
    private static final int OVERHEAD = NonceSource.NONCE_BYTES + TAG_BYTES;
    private static final byte BLOCK_AAD = 'B';
    private static final byte BATCH_AAD = 'J';

    private final NonceSource nonces;
    private final Cipher cipher;
    private final byte[] aad = new byte[2 + 255 + 1 + 8 + 8 + 4];
    private final byte[] nonce = new byte[NonceSource.NONCE_BYTES];
    private byte[] plain = new byte[4096];

    BlockCipher(NonceSource nonces) {
        this.nonces = nonces;
        try {
            this.cipher = Cipher.getInstance("AES/GCM/NoPadding");
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("AES-GCM is unavailable in this JDK", e);
        }
    }

    /** Seals a block's encoded readings under {@code key} (whose patient and version it binds). */
    public byte[] sealBlock(
            DataKey key, ReadingType type, long windowStartMicros, byte[] encoded, int length) {
        return seal(
                key,
                blockAad(key.patientId(), type, windowStartMicros, key.version()),
                encoded,
                length);
    }

    /**
     * Opens a block read from the row ({@code patientId}, {@code type}, {@code windowStartMicros},
     * {@code key.version()}); the plaintext is {@code [0, returned length)} of {@link #plain()},
     * valid until the next call. {@code decryption-failed} when anything does not match.
     */
    public int openBlock(
            DataKey key,
            String patientId,
            ReadingType type,
            long windowStartMicros,
            byte[] sealed) {
        return open(key, blockAad(patientId, type, windowStartMicros, key.version()), sealed);
    }

    byte[] sealBatch(DataKey key, long receivedMicros, int count, byte[] encoded, int length) {
        return seal(
                key,
                batchAad(key.patientId(), key.version(), receivedMicros, count),
                encoded,
                length);
    }

    int openBatch(DataKey key, String patientId, long receivedMicros, int count, byte[] sealed) {
        return open(key, batchAad(patientId, key.version(), receivedMicros, count), sealed);
    }

    public byte[] plain() {
        return plain;
    }

    private byte[] seal(DataKey key, int aadLength, byte[] encoded, int length) {
        byte[] out = new byte[length + OVERHEAD];
        nonces.next(nonce, 0);
        try {
            cipher.init(Cipher.ENCRYPT_MODE, key.key(), new GCMParameterSpec(TAG_BITS, nonce));
            cipher.updateAAD(aad, 0, aadLength);
            cipher.doFinal(encoded, 0, length, out, NonceSource.NONCE_BYTES);
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("AES-GCM sealing failed", e);
        }
        System.arraycopy(nonce, 0, out, 0, NonceSource.NONCE_BYTES);
        return out;
    }

    private int open(DataKey key, int aadLength, byte[] sealed) {
        if (sealed == null || sealed.length < OVERHEAD) {
            throw new CryptoFailure(CryptoFailure.DECRYPTION_FAILED, "a sealed block is malformed");
        }
        int length = sealed.length - OVERHEAD;
        if (plain.length < length + TAG_BYTES) {
            plain = new byte[Math.max(length + TAG_BYTES, plain.length * 2)];
        }
        try {
            cipher.init(
                    Cipher.DECRYPT_MODE,
                    key.key(),
                    new GCMParameterSpec(TAG_BITS, sealed, 0, NonceSource.NONCE_BYTES));
            cipher.updateAAD(aad, 0, aadLength);
            return cipher.doFinal(
                    sealed,
                    NonceSource.NONCE_BYTES,
                    sealed.length - NonceSource.NONCE_BYTES,
                    plain,
                    0);
        } catch (AEADBadTagException e) {
            Arrays.fill(plain, (byte) 0);
            throw new CryptoFailure(
                    CryptoFailure.DECRYPTION_FAILED, "a sealed block failed authentication");
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("AES-GCM opening failed", e);
        }
    }

    private int blockAad(String patientId, ReadingType type, long windowStart, int version) {
        int p = header(BLOCK_AAD, patientId);
        aad[p++] = (byte) type.id();
        p = putLong(p, windowStart);
        return putInt(p, version);
    }

    private int batchAad(String patientId, int version, long received, int count) {
        int p = header(BATCH_AAD, patientId);
        p = putInt(p, version);
        p = putLong(p, received);
        return putInt(p, count);
    }

    private int header(byte kind, String patientId) {
        byte[] patient = patientId.getBytes(StandardCharsets.UTF_8);
        if (patient.length > 255) {
            throw new IllegalArgumentException("patient id too long");
        }
        aad[0] = kind;
        aad[1] = (byte) patient.length;
        System.arraycopy(patient, 0, aad, 2, patient.length);
        return 2 + patient.length;
    }

    private int putInt(int p, int v) {
        aad[p] = (byte) (v >>> 24);
        aad[p + 1] = (byte) (v >>> 16);
        aad[p + 2] = (byte) (v >>> 8);
        aad[p + 3] = (byte) v;
        return p + 4;
    }

    private int putLong(int p, long v) {
        putInt(p, (int) (v >>> 32));
        return putInt(p + 4, (int) v);
    }
}
