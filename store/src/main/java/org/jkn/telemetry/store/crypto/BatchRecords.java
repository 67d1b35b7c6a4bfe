package org.jkn.telemetry.store.crypto;

import java.util.ArrayList;
import java.util.List;
import net.openhft.chronicle.bytes.Bytes;
import org.jkn.telemetry.normalizer.catalog.ReadingType;
import org.jkn.telemetry.store.block.BlockCodec;
import org.jkn.telemetry.store.block.BlockReadings;

/**
 * Journal record version 4: a whole batch sealed once under its patient's data key. In clear only
 * what the drainer needs before it opens the batch (patient pseudonym, key version, received time,
 * reading count); types, times, values, devices and reading ids are all inside.
 *
 * <pre>
 * u8 4 | utf8 patientId | i32 keyVersion | i64 receivedMicros | stopbit count | stopbit n | n bytes sealed
 * plaintext: varint groups | groups x (u8 typeId | varint length | {@link BlockCodec} block, window start 0)
 * </pre>
 *
 * One seal per batch instead of one per reading: the batch's readings share the nonce, the tag and
 * the associated data ({@link BlockCipher}).
 */
public final class BatchRecords {

    public static final int VERSION = 4;

    private BatchRecords() {}

    /** The clear header and sealed bytes of a version 4 record, positioned at its version byte. */
    public static Sealed read(Bytes<?> in) {
        if (in.readUnsignedByte() != VERSION) {
            throw new IllegalStateException("not a version 4 journal record");
        }
        String patient = in.readUtf8();
        int keyVersion = in.readInt();
        long received = in.readLong();
        long count = in.readStopBit();
        long n = in.readStopBit();
        if (patient == null
                || count < 0
                || count > Integer.MAX_VALUE
                || n < 0
                || n > in.readRemaining()) {
            throw new IllegalStateException("impossible batch record header");
        }
        byte[] sealed = new byte[(int) n];
        in.read(sealed);
        return new Sealed(patient, keyVersion, received, (int) count, sealed);
    }

    /** Reading count of a record positioned after its version byte. */
    public static long countReadingsAfterVersion(Bytes<?> in) {
        in.readUtf8();
        in.readInt();
        in.readLong();
        return in.readStopBit();
    }

    /** A batch as the journal keeps it. */
    public record Sealed(
            String patientId, int keyVersion, long receivedMicros, int count, byte[] sealed) {

        /**
         * Opens the batch: its readings grouped by type. {@code key-destroyed} when the patient was
         * erased meanwhile, {@code decryption-failed} when the record does not authenticate.
         */
        public List<Group> open(ReadingCrypto crypto, BlockCipher cipher, BlockCodec codec) {
            DataKey key = crypto.keys().version(patientId, keyVersion);
            int length = cipher.openBatch(key, patientId, receivedMicros, count, sealed);
            byte[] plain = cipher.plain();
            int[] at = {0};
            int groups = (int) varint(plain, at, length);
            List<Group> out = new ArrayList<>(groups);
            int total = 0;
            for (int g = 0; g < groups; g++) {
                if (at[0] >= length) {
                    throw new CryptoFailure(
                            CryptoFailure.DECRYPTION_FAILED, "a sealed batch is truncated");
                }
                ReadingType type = ReadingType.ofId(plain[at[0]++] & 0xff);
                long n = varint(plain, at, length);
                if (type == null || n < 0 || n > length - at[0]) {
                    throw new CryptoFailure(
                            CryptoFailure.DECRYPTION_FAILED,
                            "a sealed batch has an unknown layout");
                }
                BlockReadings readings = new BlockReadings();
                try {
                    codec.decode(plain, at[0], (int) n, 0, readings);
                } catch (IllegalArgumentException e) {
                    throw new CryptoFailure(
                            CryptoFailure.DECRYPTION_FAILED,
                            "a sealed batch has an unknown layout");
                }
                at[0] += (int) n;
                total += readings.size();
                out.add(new Group(type, readings));
            }
            if (total != count || at[0] != length) {
                throw new CryptoFailure(
                        CryptoFailure.DECRYPTION_FAILED,
                        "a sealed batch does not match its header");
            }
            return out;
        }
    }

    /** The readings of one type in a batch, in the order they were sent. */
    public record Group(ReadingType type, BlockReadings readings) {}

    static long varint(byte[] b, int[] at, int limit) {
        long v = 0;
        for (int shift = 0; shift < 64; shift += 7) {
            if (at[0] >= limit) {
                throw new CryptoFailure(
                        CryptoFailure.DECRYPTION_FAILED, "a sealed batch is truncated");
            }
            int x = b[at[0]++] & 0xff;
            v |= (long) (x & 0x7F) << shift;
            if ((x & 0x80) == 0) {
                return v;
            }
        }
        throw new CryptoFailure(
                CryptoFailure.DECRYPTION_FAILED, "a sealed batch has an unknown layout");
    }
}
