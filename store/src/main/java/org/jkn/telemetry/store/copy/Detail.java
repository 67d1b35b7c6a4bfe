package org.jkn.telemetry.store.copy;

import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;
import org.jkn.telemetry.normalizer.SleepStage;
import org.jkn.telemetry.normalizer.catalog.SleepStageKind;

/**
 * The {@code detail} column: variable parts of a reading. Version 1 holds sleep stages as {@code u8
 * version | count x (u8 kind stored code | i64 start micros | i64 end micros)}, big-endian.
 */
public final class Detail {

    private static final int VERSION = 1;
    private static final int STAGE_BYTES = 17;

    private Detail() {}

    /** Null when there is nothing to store. */
    public static byte[] encode(List<SleepStage> stages) {
        if (stages.isEmpty()) {
            return null;
        }
        ByteBuffer b = ByteBuffer.allocate(1 + stages.size() * STAGE_BYTES);
        b.put((byte) VERSION);
        for (SleepStage s : stages) {
            b.put((byte) s.kind().storedCode()).putLong(s.startMicros()).putLong(s.endMicros());
        }
        return b.array();
    }

    public static List<SleepStage> decode(byte[] detail) {
        if (detail == null || detail.length == 0) {
            return List.of();
        }
        if (detail[0] != VERSION || (detail.length - 1) % STAGE_BYTES != 0) {
            throw new IllegalArgumentException("unknown detail layout");
        }
        ByteBuffer b = ByteBuffer.wrap(detail, 1, detail.length - 1);
        List<SleepStage> out = new ArrayList<>((detail.length - 1) / STAGE_BYTES);
        while (b.hasRemaining()) {
            SleepStageKind kind = SleepStageKind.ofStoredCode(b.get());
            if (kind == null) {
                throw new IllegalArgumentException("unknown sleep stage");
            }
            out.add(new SleepStage(kind, b.getLong(), b.getLong()));
        }
        return List.copyOf(out);
    }
}
