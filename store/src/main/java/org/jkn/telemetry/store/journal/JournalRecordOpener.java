package org.jkn.telemetry.store.journal;

import net.openhft.chronicle.bytes.Bytes;
import org.jkn.telemetry.normalizer.DeviceInfo;
import org.jkn.telemetry.normalizer.NormalizedReading;
import org.jkn.telemetry.store.block.BlockCodec;
import org.jkn.telemetry.store.block.PendingBlocks;
import org.jkn.telemetry.store.crypto.BatchRecords;
import org.jkn.telemetry.store.crypto.BlockCipher;
import org.jkn.telemetry.store.crypto.Opened;
import org.jkn.telemetry.store.crypto.ReadingCrypto;
import org.jkn.telemetry.store.crypto.SealedBatch;
import org.jkn.telemetry.store.crypto.SealedReading;
import org.jkn.telemetry.store.crypto.SealedRecords;

/**
 * Reads journal records of every version and opens them into {@link PendingBlocks}: version 4 (a
 * sealed batch, {@link BatchRecords}), version 3 (readings sealed one by one, as the previous
 * version wrote them) and versions 1-2 (plaintext, older still). Reading is pure decoding; opening
 * needs the patient's data key, so it may raise a retryable {@code keys-unavailable}.
 *
 * <p>Not thread-safe: one per drainer thread.
 */
final class JournalRecordOpener {

    private final ReadingCrypto crypto;
    private final BlockCipher cipher;
    private final BlockCodec codec = new BlockCodec();

    JournalRecordOpener(ReadingCrypto crypto) {
        this.crypto = crypto;
        this.cipher = crypto.newBlockCipher();
    }

    /**
     * Decodes a record, still sealed: a {@link BatchRecords.Sealed}, a {@link SealedBatch} or a
     * {@link JournalBatch}.
     */
    static Object read(Bytes<?> bytes) {
        int version = bytes.peekUnsignedByte();
        if (version == BatchRecords.VERSION) {
            return BatchRecords.read(bytes);
        }
        if (version == SealedRecords.VERSION) {
            return SealedRecords.read(bytes);
        }
        return JournalCodec.read(bytes);
    }

    static int count(Object record) {
        if (record instanceof BatchRecords.Sealed s) {
            return s.count();
        }
        if (record instanceof SealedBatch b) {
            return b.readings().size();
        }
        return ((JournalBatch) record).readings().size();
    }

    /** The patient a record read by {@link #read} belongs to. */
    static String patientId(Object record) {
        if (record instanceof BatchRecords.Sealed s) {
            return s.patientId();
        }
        if (record instanceof SealedBatch b) {
            return b.patientId();
        }
        return ((JournalBatch) record).patientId();
    }

    /** Opens a record read by {@link #read} and adds its readings to {@code pending}. */
    void open(Object record, PendingBlocks pending) {
        if (record instanceof BatchRecords.Sealed s) {
            for (BatchRecords.Group g : s.open(crypto, cipher, codec)) {
                pending.addAll(s.patientId(), s.keyVersion(), g.type(), g.readings());
            }
        } else if (record instanceof SealedBatch b) {
            for (SealedReading r : b.readings()) {
                Opened o =
                        crypto.open(
                                b.patientId(),
                                b.keyVersion(),
                                r.type(),
                                r.startMicros(),
                                r.endMicros(),
                                r.offsetSeconds(),
                                r.rowKey(),
                                r.sealed());
                pending.add(
                        b.patientId(),
                        b.keyVersion(),
                        new NormalizedReading(
                                r.type(),
                                o.readingId(),
                                r.startMicros(),
                                r.endMicros(),
                                r.offsetSeconds(),
                                o.value(),
                                o.diastolic(),
                                o.attrs(),
                                o.stages()),
                        new DeviceInfo(o.deviceId(), o.manufacturer(), o.model()),
                        b.receivedMicros());
            }
        } else {
            JournalBatch b = (JournalBatch) record;
            int version = crypto.keys().current(b.patientId()).version();
            for (NormalizedReading r : b.readings()) {
                pending.add(b.patientId(), version, r, b.device(), b.receivedMicros());
            }
        }
    }
}
