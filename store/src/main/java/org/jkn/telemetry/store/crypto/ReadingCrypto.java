package org.jkn.telemetry.store.crypto;

import java.util.List;
import java.util.concurrent.ConcurrentLinkedQueue;
import net.openhft.chronicle.bytes.Bytes;
import org.jkn.telemetry.normalizer.DeviceInfo;
import org.jkn.telemetry.normalizer.NormalizedReading;
import org.jkn.telemetry.normalizer.catalog.ReadingType;

/**
 * Envelope encryption of readings: each reading's values and re-identifying text sealed with
 * AES-256-GCM under its patient's data key ({@link DataKeys}), with a nonce from {@link
 * NonceSource} and associated data binding it to its row. One per process.
 *
 * <p>Thread-safe. Work happens in {@link SealSession}s, pooled here: a thread borrows one with
 * {@link #acquire()} and returns it with {@link SealSession#close()}, so ciphers and buffers are
 * reused by an explicit owner rather than hidden in thread-locals. The pool holds at most as many
 * sessions as threads ever used it at once.
 */
public final class ReadingCrypto {

    private final DataKeys keys;
    private final RowKeys rowKeys;
    private final NonceSource nonces;
    private final ConcurrentLinkedQueue<SealSession> pool = new ConcurrentLinkedQueue<>();

    public ReadingCrypto(DataKeys keys, RowKeys rowKeys, NonceSource nonces) {
        this.keys = keys;
        this.rowKeys = rowKeys;
        this.nonces = nonces;
    }

    public DataKeys keys() {
        return keys;
    }

    public RowKeys rowKeys() {
        return rowKeys;
    }

    NonceSource nonces() {
        return nonces;
    }

    /** A block cipher for one thread (drainer, query or migration); see {@link BlockCipher}. */
    public BlockCipher newBlockCipher() {
        return new BlockCipher(nonces);
    }

    public SealSession acquire() {
        SealSession s = pool.poll();
        return s != null ? s : new SealSession(this);
    }

    void release(SealSession s) {
        pool.offer(s);
    }

    /**
     * Seals a batch reading by reading, as the previous version's journal records (version 3) and
     * rows were; only tests and benchmarks make such data now, to exercise the upgrade. Allocates
     * freely.
     */
    public SealedBatch seal(
            String patientId,
            DeviceInfo device,
            long receivedMicros,
            List<NormalizedReading> readings) {
        try (SealSession s = acquire()) {
            Bytes<?> record = s.sealRecordVersion3(patientId, device, receivedMicros, readings);
            return SealedRecords.read(record);
        }
    }

    /** Opens one stored reading with its key version; see {@link SealSession#open}. */
    public Opened open(
            String patientId,
            int keyVersion,
            ReadingType type,
            long startMicros,
            long endMicros,
            int offsetSeconds,
            String rowKey,
            byte[] sealed) {
        DataKey key = keys.version(patientId, keyVersion);
        try (SealSession s = acquire()) {
            return s.open(
                    key, patientId, type, startMicros, endMicros, offsetSeconds, rowKey, sealed);
        }
    }
}
