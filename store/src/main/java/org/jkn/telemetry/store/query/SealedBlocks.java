package org.jkn.telemetry.store.query;

import org.jkn.telemetry.normalizer.DeviceInfo;
import org.jkn.telemetry.normalizer.catalog.ReadingType;
import org.jkn.telemetry.store.block.BlockCodec;
import org.jkn.telemetry.store.block.BlockReadings;
import org.jkn.telemetry.store.crypto.BlockCipher;
import org.jkn.telemetry.store.crypto.CryptoFailure;
import org.jkn.telemetry.store.crypto.DataKey;
import org.jkn.telemetry.store.crypto.ReadingCrypto;
import org.jkn.telemetry.store.crypto.RowKeys;

/**
 * Opens sealed blocks read from {@code reading_blocks} and gives their readings the Observation ids
 * they are shown with ({@link ObservationIds}): for search and read by id ({@link BlockSearch}) and
 * the operations that read blocks in their own order ({@link LatestReadings}, {@link
 * ReadingStatistics}).
 *
 * <p>Not thread-safe: one per call (it owns a cipher, a decoder and the HMAC of the row keys).
 */
final class SealedBlocks {

    private final ReadingCrypto crypto;
    private final BlockCipher cipher;
    private final BlockCodec codec = new BlockCodec();
    private RowKeys.Hasher hasher;
    private String tagged;
    private long tag;

    SealedBlocks(ReadingCrypto crypto) {
        this.crypto = crypto;
        this.cipher = crypto.newBlockCipher();
    }

    /**
     * Opens the block of the row ({@code patient}, {@code type}, {@code window}, {@code
     * keyVersion}) into {@code into}; a block that fails its check raises {@link CryptoFailure}.
     */
    BlockReadings open(
            String patient,
            ReadingType type,
            long window,
            int keyVersion,
            byte[] sealed,
            BlockReadings into) {
        DataKey key = crypto.keys().version(patient, keyVersion);
        int length = cipher.openBlock(key, patient, type, window, sealed);
        try {
            codec.decode(cipher.plain(), 0, length, window, into);
        } catch (IllegalArgumentException e) {
            throw new CryptoFailure(
                    CryptoFailure.DECRYPTION_FAILED, "a sealed block has an unknown layout");
        }
        return into;
    }

    /** Reading {@code i} of an opened block, with the id it is shown with everywhere else. */
    StoredReading reading(String patient, ReadingType type, BlockReadings b, int i) {
        return reading(patient, type, b, i, key(patient, b, i));
    }

    /** The same, its row {@code key} known already. */
    StoredReading reading(String patient, ReadingType type, BlockReadings b, int i, String key) {
        DeviceInfo device = b.device(i);
        String id =
                (b.flags(i) & BlockReadings.LEGACY_ID) != 0
                        ? ObservationIds.id(b.startMicros(i), key)
                        : ObservationIds.id(b.startMicros(i), key, type, tag(patient));
        return new StoredReading(
                id,
                patient,
                device.id(),
                b.readingId(i),
                device.manufacturer(),
                device.model(),
                type,
                b.startMicros(i),
                b.endMicros(i),
                b.offsetSeconds(i),
                b.value(i),
                b.diastolic(i),
                b.receivedMicros(i),
                b.attrs(i),
                b.stages(i));
    }

    /** The row key of reading {@code i}: the keyed hash of patient, device and reading id. */
    String key(String patient, BlockReadings b, int i) {
        if (hasher == null) {
            hasher = crypto.rowKeys().hasher();
        }
        return hasher.key(patient, b.device(i).id(), b.readingId(i));
    }

    private long tag(String patient) {
        if (!patient.equals(tagged)) {
            tagged = patient;
            tag = ObservationIds.patientTag(patient);
        }
        return tag;
    }
}
