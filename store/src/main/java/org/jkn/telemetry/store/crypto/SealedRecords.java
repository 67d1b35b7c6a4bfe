package org.jkn.telemetry.store.crypto;

import java.util.ArrayList;
import java.util.List;
import net.openhft.chronicle.bytes.Bytes;
import org.jkn.telemetry.normalizer.catalog.ReadingType;

/**
 * Journal record version 3: sealed readings, nothing in clear but what the database needs for
 * search and idempotency.
 *
 * <pre>
 * u8 3 | utf8 patientId | i32 keyVersion | i64 receivedMicros | stopbit count
 * count x (u8 typeId | utf8 storedCode | 12 bytes rowKey | i64 start | i64 end | i32 offset | stopbit n | n bytes sealed)
 * </pre>
 *
 * The drainer copies {@code sealed} to the database as it is (no decryption on drain).
 */
public final class SealedRecords {

    public static final int VERSION = 3;

    private SealedRecords() {}

    /**
     * Decodes a record positioned at its version byte; {@link IllegalStateException} when it is not
     * a valid one.
     */
    public static SealedBatch read(Bytes<?> in) {
        int version = in.readUnsignedByte();
        if (version != VERSION) {
            throw new IllegalStateException("not a sealed journal record");
        }
        String patient = in.readUtf8();
        int keyVersion = in.readInt();
        long received = in.readLong();
        long count = in.readStopBit();
        if (patient == null || count < 0 || count > in.readRemaining()) {
            throw new IllegalStateException("impossible sealed record header");
        }
        List<SealedReading> readings = new ArrayList<>((int) count);
        byte[] row = new byte[RowKeys.BYTES];
        for (int i = 0; i < count; i++) {
            ReadingType type = ReadingType.ofId(in.readUnsignedByte());
            if (type == null) {
                throw new IllegalStateException("unknown reading type id in a sealed record");
            }
            String code = in.readUtf8();
            in.read(row);
            long start = in.readLong();
            long end = in.readLong();
            int offset = in.readInt();
            long n = in.readStopBit();
            if (n < 0 || n > in.readRemaining()) {
                throw new IllegalStateException("impossible sealed length");
            }
            byte[] sealed = new byte[(int) n];
            in.read(sealed);
            readings.add(
                    new SealedReading(type, code, RowKeys.hex(row, 0), start, end, offset, sealed));
        }
        return new SealedBatch(patient, keyVersion, received, readings);
    }

    /** Reading count of a record positioned after its version byte. */
    public static long countReadingsAfterVersion(Bytes<?> in) {
        in.readUtf8();
        in.readInt();
        in.readLong();
        return in.readStopBit();
    }
}
