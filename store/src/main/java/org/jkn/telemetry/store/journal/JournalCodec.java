package org.jkn.telemetry.store.journal;

import java.util.ArrayList;
import java.util.List;
import net.openhft.chronicle.bytes.Bytes;
import org.jkn.telemetry.normalizer.DeviceInfo;
import org.jkn.telemetry.normalizer.NormalizedReading;
import org.jkn.telemetry.normalizer.SleepStage;
import org.jkn.telemetry.normalizer.catalog.ReadingType;
import org.jkn.telemetry.normalizer.catalog.SleepStageKind;
import org.jkn.telemetry.store.crypto.SealedRecords;

/**
 * Binary layout of the plaintext journal records of earlier versions, still read (and sealed when
 * drained); new records are sealed (version 3, {@link SealedRecords}). Version 2 (version 1 lacks
 * attrs and stages):
 *
 * <pre>
 * u8 version | utf8 patientId | utf8 deviceId | utf8? manufacturer | utf8? model | i64 receivedMicros
 * stopbit count | count x (u8 typeId | utf8 readingId | i64 start | i64 end | i32 offset | f64 value | f64 diastolic
 *                          | i32 attrs | stopbit stages | stages x (u8 kind | i64 start | i64 end))
 * </pre>
 *
 * Type ids are {@link ReadingType#id()}, stable forever. A record this code cannot read raises
 * {@link CorruptRecordException}.
 */
final class JournalCodec {

    static final int VERSION = 2;

    private JournalCodec() {}

    static void write(Bytes<?> out, JournalBatch b) {
        out.writeUnsignedByte(VERSION);
        out.writeUtf8(b.patientId());
        out.writeUtf8(b.device().id());
        out.writeUtf8(b.device().manufacturer());
        out.writeUtf8(b.device().model());
        out.writeLong(b.receivedMicros());
        List<NormalizedReading> rs = b.readings();
        out.writeStopBit(rs.size());
        for (int i = 0; i < rs.size(); i++) {
            NormalizedReading r = rs.get(i);
            out.writeUnsignedByte(r.type().id());
            out.writeUtf8(r.readingId());
            out.writeLong(r.startMicros());
            out.writeLong(r.endMicros());
            out.writeInt(r.offsetSeconds());
            out.writeDouble(r.value());
            out.writeDouble(r.diastolic());
            out.writeInt(r.attrs());
            out.writeStopBit(r.stages().size());
            for (SleepStage s : r.stages()) {
                out.writeUnsignedByte(s.kind().storedCode());
                out.writeLong(s.startMicros());
                out.writeLong(s.endMicros());
            }
        }
    }

    static JournalBatch read(Bytes<?> in) {
        int version = in.readUnsignedByte();
        if (version != 1 && version != VERSION) {
            throw new CorruptRecordException("unknown journal record version " + version);
        }
        String patient = in.readUtf8();
        String deviceId = in.readUtf8();
        String manufacturer = in.readUtf8();
        String model = in.readUtf8();
        long received = in.readLong();
        long count = in.readStopBit();
        if (count < 0 || count > in.readRemaining()) {
            throw new CorruptRecordException("impossible reading count " + count);
        }
        List<NormalizedReading> readings = new ArrayList<>((int) count);
        for (int i = 0; i < count; i++) {
            int typeId = in.readUnsignedByte();
            ReadingType type = ReadingType.ofId(typeId);
            if (type == null) {
                throw new CorruptRecordException("unknown reading type id " + typeId);
            }
            String id = in.readUtf8();
            long start = in.readLong();
            long end = in.readLong();
            int offset = in.readInt();
            double value = in.readDouble();
            double diastolic = in.readDouble();
            int attrs = 0;
            List<SleepStage> stages = List.of();
            if (version >= 2) {
                attrs = in.readInt();
                long n = in.readStopBit();
                if (n < 0 || n > in.readRemaining()) {
                    throw new CorruptRecordException("impossible stage count " + n);
                }
                if (n > 0) {
                    List<SleepStage> list = new ArrayList<>((int) n);
                    for (int s = 0; s < n; s++) {
                        SleepStageKind kind = SleepStageKind.ofStoredCode(in.readUnsignedByte());
                        if (kind == null) {
                            throw new CorruptRecordException("unknown sleep stage");
                        }
                        list.add(new SleepStage(kind, in.readLong(), in.readLong()));
                    }
                    stages = List.copyOf(list);
                }
            }
            readings.add(
                    new NormalizedReading(
                            type, id, start, end, offset, value, diastolic, attrs, stages));
        }
        return new JournalBatch(
                patient, new DeviceInfo(deviceId, manufacturer, model), received, readings);
    }

    /** Reading count of a record (any version) without decoding the readings. */
    static long countReadings(Bytes<?> in) {
        int version = in.readUnsignedByte();
        if (version == org.jkn.telemetry.store.crypto.BatchRecords.VERSION) {
            return org.jkn.telemetry.store.crypto.BatchRecords.countReadingsAfterVersion(in);
        }
        if (version == SealedRecords.VERSION) {
            return SealedRecords.countReadingsAfterVersion(in);
        }
        in.readUtf8();
        in.readUtf8();
        in.readUtf8();
        in.readUtf8();
        in.readLong();
        return in.readStopBit();
    }
}
