package org.jkn.telemetry.store.crypto;

import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.util.ArrayList;
import java.util.List;
import javax.crypto.AEADBadTagException;
import javax.crypto.Cipher;
import javax.crypto.Mac;
import javax.crypto.spec.GCMParameterSpec;
import net.openhft.chronicle.bytes.Bytes;
import org.jkn.telemetry.normalizer.DeviceInfo;
import org.jkn.telemetry.normalizer.NormalizedReading;
import org.jkn.telemetry.normalizer.SleepStage;
import org.jkn.telemetry.normalizer.catalog.ReadingType;
import org.jkn.telemetry.normalizer.catalog.SleepStageKind;
import org.jkn.telemetry.store.block.BlockCodec;
import org.jkn.telemetry.store.block.BlockReadings;

/**
 * The reusable state of one sealing or opening thread: its {@link Cipher}, {@link Mac} and buffers,
 * so the ingest path allocates per batch, not per reading (one {@link GCMParameterSpec} per reading
 * remains, the JDK's API has no other way to pass a nonce).
 *
 * <p>Not thread-safe: borrowed from {@link ReadingCrypto#acquire()} by one thread at a time and
 * given back with {@link #close()}.
 *
 * <p>Sealed plaintext, version 1: {@code u8 1 | f64 value | f64 diastolic | i32 attrs | u16 stages
 * | stages x (u8 kind | i64 start | i64 end) | str deviceId | str readingId | str manufacturer |
 * str model}, big-endian, where {@code str} is {@code u16 length | UTF-8} and length 0xFFFF means
 * null. The associated data binds it to its row: {@code u8 1 | u8 len | patient | u8 type | i64
 * start | i64 end | i32 offset | 12 bytes row key | i32 key version}.
 */
public final class SealSession implements AutoCloseable {

    static final int TAG_BITS = 128;
    private static final int TAG_BYTES = TAG_BITS / 8;
    private static final int PLAIN_VERSION = 1;
    private static final int AAD_VERSION = 1;
    private static final int NULL_STRING = 0xFFFF;

    private final ReadingCrypto owner;
    private final Cipher cipher;
    private final Mac mac;
    private final Bytes<?> record = Bytes.allocateElasticOnHeap(4096);
    private final byte[] aad = new byte[2 + 255 + 1 + 8 + 8 + 4 + RowKeys.BYTES + 4];
    private final byte[] hmac = new byte[32];
    private final byte[] nonce = new byte[NonceSource.NONCE_BYTES];
    private byte[] plain = new byte[512];
    private byte[] sealed = new byte[512];
    private final BlockCodec codec = new BlockCodec();
    private final BlockReadings[] byType = new BlockReadings[256];
    private final BlockCipher blocks;
    private byte[] batchPlain = new byte[4096];
    private int batch;

    SealSession(ReadingCrypto owner) {
        this.owner = owner;
        try {
            this.cipher = Cipher.getInstance("AES/GCM/NoPadding");
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("AES-GCM is unavailable in this JDK", e);
        }
        this.mac = owner.rowKeys().newMac();
        this.blocks = new BlockCipher(owner.nonces());
        // one thread at a time, handed over through the pool's queue (a happens-before edge)
        this.record.singleThreadedCheckDisabled(true);
    }

    /**
     * Seals a batch into one journal record (format {@link BatchRecords}) and returns it: valid
     * until this session's next call. Takes (or creates) the patient's live data key.
     */
    public Bytes<?> sealRecord(
            String patientId,
            DeviceInfo device,
            long receivedMicros,
            List<NormalizedReading> readings) {
        DataKey key = owner.keys().current(patientId);
        int groups = 0;
        for (int i = 0; i < readings.size(); i++) {
            NormalizedReading r = readings.get(i);
            BlockReadings g = byType[r.type().id()];
            if (g == null) {
                g = byType[r.type().id()] = new BlockReadings();
            }
            if (g.size() == 0) {
                groups++;
            }
            g.add(r, device, receivedMicros);
        }
        batch = 0;
        putVarint(groups);
        for (int t = 0; t < byType.length; t++) {
            BlockReadings g = byType[t];
            if (g == null || g.size() == 0) {
                continue;
            }
            int n = codec.encode(g, 0);
            ensureBatch(1 + 10 + n);
            batchPlain[batch++] = (byte) t;
            putVarint(n);
            System.arraycopy(codec.buffer(), 0, batchPlain, batch, n);
            batch += n;
            g.clear();
        }
        byte[] sealedBatch =
                blocks.sealBatch(key, receivedMicros, readings.size(), batchPlain, batch);
        record.clear();
        record.writeUnsignedByte(BatchRecords.VERSION);
        record.writeUtf8(patientId);
        record.writeInt(key.version());
        record.writeLong(receivedMicros);
        record.writeStopBit(readings.size());
        record.writeStopBit(sealedBatch.length);
        record.write(sealedBatch);
        return record;
    }

    private void putVarint(long v) {
        ensureBatch(10);
        while ((v & ~0x7FL) != 0) {
            batchPlain[batch++] = (byte) ((v & 0x7F) | 0x80);
            v >>>= 7;
        }
        batchPlain[batch++] = (byte) v;
    }

    private void ensureBatch(int more) {
        if (batch + more > batchPlain.length) {
            batchPlain =
                    java.util.Arrays.copyOf(
                            batchPlain, Math.max(batch + more, batchPlain.length * 2));
        }
    }

    /**
     * Seals one reading as journal record version 3 and the legacy readings table did (kept for
     * tests that write data of earlier versions).
     */
    public Bytes<?> sealRecordVersion3(
            String patientId,
            DeviceInfo device,
            long receivedMicros,
            List<NormalizedReading> readings) {
        DataKey key = owner.keys().current(patientId);
        byte[] patient = patientId.getBytes(StandardCharsets.UTF_8);
        byte[] deviceId = device.id().getBytes(StandardCharsets.UTF_8);
        byte[] manufacturer =
                device.manufacturer() == null
                        ? null
                        : device.manufacturer().getBytes(StandardCharsets.UTF_8);
        byte[] model =
                device.model() == null ? null : device.model().getBytes(StandardCharsets.UTF_8);
        record.clear();
        record.writeUnsignedByte(SealedRecords.VERSION);
        record.writeUtf8(patientId);
        record.writeInt(key.version());
        record.writeLong(receivedMicros);
        record.writeStopBit(readings.size());
        for (int i = 0; i < readings.size(); i++) {
            NormalizedReading r = readings.get(i);
            RowKeys.compute(mac, patient, deviceId, r.readingId(), hmac, 0);
            int aadLength =
                    aad(
                            patient,
                            r.type(),
                            r.startMicros(),
                            r.endMicros(),
                            r.offsetSeconds(),
                            hmac,
                            key.version());
            int plainLength = plaintext(r, deviceId, manufacturer, model);
            int sealedLength = seal(key, aadLength, plainLength);
            record.writeUnsignedByte(r.type().id());
            record.writeUtf8(r.type().storedCode(r.attrs()));
            record.write(hmac, 0, RowKeys.BYTES);
            record.writeLong(r.startMicros());
            record.writeLong(r.endMicros());
            record.writeInt(r.offsetSeconds());
            record.writeStopBit(sealedLength);
            record.write(sealed, 0, sealedLength);
        }
        return record;
    }

    private int seal(DataKey key, int aadLength, int plainLength) {
        int needed = NonceSource.NONCE_BYTES + plainLength + TAG_BYTES;
        if (sealed.length < needed) {
            sealed = new byte[Math.max(needed, sealed.length * 2)];
        }
        owner.nonces().next(nonce, 0);
        try {
            cipher.init(Cipher.ENCRYPT_MODE, key.key(), new GCMParameterSpec(TAG_BITS, nonce));
            cipher.updateAAD(aad, 0, aadLength);
            int n = cipher.doFinal(plain, 0, plainLength, sealed, NonceSource.NONCE_BYTES);
            System.arraycopy(nonce, 0, sealed, 0, NonceSource.NONCE_BYTES);
            return NonceSource.NONCE_BYTES + n;
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("AES-GCM sealing failed", e);
        }
    }

    /**
     * Authenticates and decrypts one stored reading against the row it was read from; a {@link
     * CryptoFailure} {@code decryption-failed} when anything about it does not match.
     */
    public Opened open(
            DataKey key,
            String patientId,
            ReadingType type,
            long startMicros,
            long endMicros,
            int offsetSeconds,
            String rowKey,
            byte[] sealedBytes) {
        byte[] row = RowKeys.parse(rowKey);
        if (row == null
                || sealedBytes == null
                || sealedBytes.length < NonceSource.NONCE_BYTES + TAG_BYTES) {
            throw new CryptoFailure(
                    CryptoFailure.DECRYPTION_FAILED, "a sealed reading is malformed");
        }
        int aadLength =
                aad(
                        patientId.getBytes(StandardCharsets.UTF_8),
                        type,
                        startMicros,
                        endMicros,
                        offsetSeconds,
                        row,
                        key.version());
        if (plain.length < sealedBytes.length) {
            plain = new byte[sealedBytes.length];
        }
        int n;
        try {
            cipher.init(
                    Cipher.DECRYPT_MODE,
                    key.key(),
                    new GCMParameterSpec(TAG_BITS, sealedBytes, 0, NonceSource.NONCE_BYTES));
            cipher.updateAAD(aad, 0, aadLength);
            n =
                    cipher.doFinal(
                            sealedBytes,
                            NonceSource.NONCE_BYTES,
                            sealedBytes.length - NonceSource.NONCE_BYTES,
                            plain,
                            0);
        } catch (AEADBadTagException e) {
            throw new CryptoFailure(
                    CryptoFailure.DECRYPTION_FAILED, "a sealed reading failed authentication");
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("AES-GCM opening failed", e);
        }
        return decode(n);
    }

    private int aad(
            byte[] patient,
            ReadingType type,
            long start,
            long end,
            int offset,
            byte[] rowKey,
            int version) {
        if (patient.length > 255) {
            throw new IllegalArgumentException("patient id too long");
        }
        int p = 0;
        aad[p++] = AAD_VERSION;
        aad[p++] = (byte) patient.length;
        System.arraycopy(patient, 0, aad, p, patient.length);
        p += patient.length;
        aad[p++] = (byte) type.id();
        p = putLong(aad, p, start);
        p = putLong(aad, p, end);
        p = putInt(aad, p, offset);
        System.arraycopy(rowKey, 0, aad, p, RowKeys.BYTES);
        p += RowKeys.BYTES;
        return putInt(aad, p, version);
    }

    private int plaintext(NormalizedReading r, byte[] deviceId, byte[] manufacturer, byte[] model) {
        List<SleepStage> stages = r.stages();
        String readingId = r.readingId();
        int readingIdBytes = asciiLength(readingId);
        int needed =
                1
                        + 8
                        + 8
                        + 4
                        + 2
                        + stages.size() * 17
                        + 8
                        + deviceId.length
                        + (readingIdBytes < 0 ? readingId.length() * 3 : readingIdBytes)
                        + (manufacturer == null ? 0 : manufacturer.length)
                        + (model == null ? 0 : model.length);
        if (plain.length < needed) {
            plain = new byte[Math.max(needed, plain.length * 2)];
        }
        if (stages.size() > 0xFFFF) {
            throw new IllegalArgumentException("too many sleep stages");
        }
        byte[] b = plain;
        int p = 0;
        b[p++] = PLAIN_VERSION;
        p = putLong(b, p, Double.doubleToRawLongBits(r.value()));
        p = putLong(b, p, Double.doubleToRawLongBits(r.diastolic()));
        p = putInt(b, p, r.attrs());
        p = putShort(b, p, stages.size());
        for (int i = 0; i < stages.size(); i++) {
            SleepStage s = stages.get(i);
            b[p++] = (byte) s.kind().storedCode();
            p = putLong(b, p, s.startMicros());
            p = putLong(b, p, s.endMicros());
        }
        p = putString(b, p, deviceId);
        if (readingIdBytes >= 0) {
            p = putShort(b, p, readingIdBytes);
            for (int i = 0; i < readingIdBytes; i++) {
                b[p++] = (byte) readingId.charAt(i);
            }
        } else {
            p = putString(b, p, readingId.getBytes(StandardCharsets.UTF_8));
        }
        p = putString(b, p, manufacturer);
        return putString(b, p, model);
    }

    private Opened decode(int length) {
        byte[] b = plain;
        if (length < 1 + 8 + 8 + 4 + 2 || b[0] != PLAIN_VERSION) {
            throw new CryptoFailure(
                    CryptoFailure.DECRYPTION_FAILED, "a sealed reading has an unknown layout");
        }
        int p = 1;
        double value = Double.longBitsToDouble(getLong(b, p));
        double diastolic = Double.longBitsToDouble(getLong(b, p + 8));
        int attrs = getInt(b, p + 16);
        int count = getShort(b, p + 20);
        p += 22;
        List<SleepStage> stages = List.of();
        if (count > 0) {
            List<SleepStage> list = new ArrayList<>(count);
            for (int i = 0; i < count; i++) {
                SleepStageKind kind = SleepStageKind.ofStoredCode(b[p]);
                if (kind == null) {
                    throw new CryptoFailure(
                            CryptoFailure.DECRYPTION_FAILED,
                            "a sealed reading has an unknown sleep stage");
                }
                list.add(new SleepStage(kind, getLong(b, p + 1), getLong(b, p + 9)));
                p += 17;
            }
            stages = List.copyOf(list);
        }
        String[] strings = new String[4];
        for (int i = 0; i < 4; i++) {
            int n = getShort(b, p);
            p += 2;
            if (n != NULL_STRING) {
                strings[i] = new String(b, p, n, StandardCharsets.UTF_8);
                p += n;
            }
        }
        return new Opened(
                value, diastolic, attrs, stages, strings[0], strings[1], strings[2], strings[3]);
    }

    /** Byte length when all ASCII, else -1. */
    private static int asciiLength(String s) {
        for (int i = 0; i < s.length(); i++) {
            if (s.charAt(i) > 0x7f) {
                return -1;
            }
        }
        return s.length();
    }

    private static int putString(byte[] b, int p, byte[] s) {
        if (s == null) {
            return putShort(b, p, NULL_STRING);
        }
        if (s.length >= NULL_STRING) {
            throw new IllegalArgumentException("string too long to seal");
        }
        p = putShort(b, p, s.length);
        System.arraycopy(s, 0, b, p, s.length);
        return p + s.length;
    }

    private static int putShort(byte[] b, int p, int v) {
        b[p] = (byte) (v >>> 8);
        b[p + 1] = (byte) v;
        return p + 2;
    }

    private static int putInt(byte[] b, int p, int v) {
        b[p] = (byte) (v >>> 24);
        b[p + 1] = (byte) (v >>> 16);
        b[p + 2] = (byte) (v >>> 8);
        b[p + 3] = (byte) v;
        return p + 4;
    }

    private static int putLong(byte[] b, int p, long v) {
        putInt(b, p, (int) (v >>> 32));
        return putInt(b, p + 4, (int) v);
    }

    private static int getShort(byte[] b, int p) {
        return (b[p] & 0xff) << 8 | (b[p + 1] & 0xff);
    }

    private static int getInt(byte[] b, int p) {
        return (b[p] & 0xff) << 24
                | (b[p + 1] & 0xff) << 16
                | (b[p + 2] & 0xff) << 8
                | (b[p + 3] & 0xff);
    }

    private static long getLong(byte[] b, int p) {
        return (long) getInt(b, p) << 32 | (getInt(b, p + 4) & 0xffffffffL);
    }

    /** Gives this session back to its owner. */
    @Override
    public void close() {
        owner.release(this);
    }
}
