package org.jkn.telemetry.normalizer;

import org.jkn.telemetry.normalizer.catalog.ReadingType;

/**
 * The time checks of a reading: its time, or its start and end, are given and valid, and it lies in
 * the window the server accepts around its clock.
 *
 * <p>One per batch (it holds the batch's clock), made by {@link ReadingChecker}; not thread-safe.
 */
final class TimeChecks {

    private static final String TIME_EXAMPLE = "2026-11-22T08:00:00+07:00";

    private final long futureSkewMicros;
    private final long maxAgeMicros;
    private final long maxPeriodMicros;
    private final long nowMicros;
    private final ReadingOutcomes outcomes;

    /**
     * @param nowMicros the server clock used for the time checks
     */
    TimeChecks(NormalizerLimits limits, long nowMicros, ReadingOutcomes outcomes) {
        this.futureSkewMicros = limits.futureSkew().toNanos() / 1000;
        this.maxAgeMicros = limits.maxAge().toSeconds() * 1_000_000L;
        this.maxPeriodMicros = limits.maxPeriod().toSeconds() * 1_000_000L;
        this.nowMicros = nowMicros;
        this.outcomes = outcomes;
    }

    /** Start and end of a period reading are given, valid, in order and not too far apart. */
    boolean periodIsValid(int index, String id, ReadingType type, ReadingFields f) {
        if (f.startState == ReadingFields.ABSENT || f.endState == ReadingFields.ABSENT) {
            outcomes.reject(
                    index,
                    id,
                    RejectReason.MISSING_FIELD,
                    type.wireName() + " needs start and end");
            return false;
        }
        if (f.startState == ReadingFields.INVALID || f.endState == ReadingFields.INVALID) {
            outcomes.reject(
                    index,
                    id,
                    RejectReason.INVALID_TIME,
                    "start and end must be ISO 8601 date-times with a UTC offset, e.g. "
                            + TIME_EXAMPLE);
            return false;
        }
        if (f.endMicros < f.startMicros) {
            outcomes.reject(index, id, RejectReason.END_BEFORE_START, "end is before start");
            return false;
        }
        if (f.endMicros - f.startMicros > maxPeriodMicros) {
            outcomes.reject(
                    index,
                    id,
                    RejectReason.PERIOD_TOO_LONG,
                    "one reading may cover at most " + maxPeriodMicros / 86_400_000_000L + " days");
            return false;
        }
        return true;
    }

    /** The time of an instant reading is given and valid. */
    boolean timeIsValid(int index, String id, ReadingType type, ReadingFields f) {
        if (f.timeState == ReadingFields.ABSENT) {
            outcomes.reject(index, id, RejectReason.MISSING_FIELD, type.wireName() + " needs time");
            return false;
        }
        if (f.timeState == ReadingFields.INVALID) {
            outcomes.reject(
                    index,
                    id,
                    RejectReason.INVALID_TIME,
                    "time must be an ISO 8601 date-time with a UTC offset, e.g. " + TIME_EXAMPLE);
            return false;
        }
        return true;
    }

    /** Neither ends in the future (beyond the allowed skew) nor starts before the maximum age. */
    boolean inWindow(int index, String id, long start, long end) {
        if (end > nowMicros + futureSkewMicros) {
            outcomes.reject(
                    index, id, RejectReason.TIME_IN_FUTURE, "reading time is in the future");
            return false;
        }
        if (start < nowMicros - maxAgeMicros) {
            outcomes.reject(
                    index,
                    id,
                    RejectReason.TIME_TOO_OLD,
                    "reading is older than " + maxAgeMicros / 86_400_000_000L + " days");
            return false;
        }
        return true;
    }
}
