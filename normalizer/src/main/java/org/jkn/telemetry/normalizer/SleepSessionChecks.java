package org.jkn.telemetry.normalizer;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import org.jkn.telemetry.normalizer.catalog.ReadingType;
import org.jkn.telemetry.normalizer.catalog.SleepStageKind;

/**
 * The checks of a sleep session: its stages are known, lie within the session and do not overlap,
 * and the minutes asleep they add up to, its value, are in range.
 *
 * <p>One per batch, made by {@link ReadingChecker}; not thread-safe.
 */
final class SleepSessionChecks {

    private final ReadingOutcomes outcomes;

    SleepSessionChecks(ReadingOutcomes outcomes) {
        this.outcomes = outcomes;
    }

    /** A sleep session: its stages, and the minutes asleep they add up to as the value. */
    void checkSleepSession(
            int index,
            String id,
            ReadingType type,
            ReadingFields f,
            long start,
            long end,
            int offset,
            int attrs) {
        List<SleepStage> stages = stages(index, id, f, start, end);
        if (stages == null) {
            return;
        }
        double asleep = asleepMinutes(stages, start, end);
        if (!ValueChecks.inRange(asleep, type.min(), type.max())) {
            outcomes.reject(
                    index,
                    id,
                    RejectReason.IMPLAUSIBLE_VALUE,
                    "a sleep session has at most "
                            + ValueChecks.num(type.max())
                            + " minutes asleep");
            return;
        }
        outcomes.add(index, id, type, start, end, offset, asleep, Double.NaN, attrs, stages);
    }

    /** Checked stages sorted by start, or null after adding a rejection. */
    private List<SleepStage> stages(int index, String id, ReadingFields f, long start, long end) {
        if (f.stagesMalformed) {
            outcomes.reject(
                    index,
                    id,
                    RejectReason.INVALID_STAGES,
                    "each stage needs stage, start and end (ISO 8601 with offset)");
            return null;
        }
        if (f.stageCount == 0) {
            return List.of();
        }
        List<SleepStage> stages = new ArrayList<>(f.stageCount);
        for (int i = 0; i < f.stageCount; i++) {
            SleepStageKind kind = SleepStageKind.ofWire(f.stageKinds[i]);
            if (kind == null) {
                outcomes.reject(
                        index,
                        id,
                        RejectReason.INVALID_CHOICE,
                        "stage must be one of " + SleepStageKind.wireNames());
                return null;
            }
            long s = f.stageStarts[i];
            long e = f.stageEnds[i];
            if (e <= s || s < start || e > end) {
                outcomes.reject(
                        index,
                        id,
                        RejectReason.INVALID_STAGES,
                        "each stage must end after it starts and lie within the session");
                return null;
            }
            stages.add(new SleepStage(kind, s, e));
        }
        stages.sort(Comparator.comparingLong(SleepStage::startMicros));
        for (int i = 1; i < stages.size(); i++) {
            if (stages.get(i).startMicros() < stages.get(i - 1).endMicros()) {
                outcomes.reject(index, id, RejectReason.INVALID_STAGES, "stages must not overlap");
                return null;
            }
        }
        return List.copyOf(stages);
    }

    /** Minutes asleep: the asleep stages, or the whole session when it has no stages. */
    private static double asleepMinutes(List<SleepStage> stages, long start, long end) {
        if (stages.isEmpty()) {
            return (end - start) / (double) ValueChecks.MICROS_PER_MINUTE;
        }
        long asleep = 0;
        for (SleepStage s : stages) {
            if (s.kind().asleep()) {
                asleep += s.endMicros() - s.startMicros();
            }
        }
        return asleep / (double) ValueChecks.MICROS_PER_MINUTE;
    }
}
