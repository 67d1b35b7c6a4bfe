package org.jkn.telemetry.normalizer;

import java.util.HashSet;
import java.util.List;
import java.util.Set;
import org.jkn.telemetry.normalizer.catalog.ReadingType;
import org.jkn.telemetry.normalizer.catalog.Unit;

/**
 * Where the checks of one batch put what they decide: the readings that pass, a {@link Rejection}
 * with a stable reason for each that fails, and the ids seen so far so that an id is accepted once.
 *
 * <p>One per batch, shared by the checks of that batch; not thread-safe.
 */
final class ReadingOutcomes {

    private final Set<String> seenIds = new HashSet<>();
    private final List<NormalizedReading> out;
    private final List<Rejection> rejections;

    /**
     * @param out where readings that pass are added
     * @param rejections where a rejection is added for each reading that fails
     */
    ReadingOutcomes(List<NormalizedReading> out, List<Rejection> rejections) {
        this.out = out;
        this.rejections = rejections;
    }

    /** Adds a reading that passed its checks, unless an earlier one of the batch had its id. */
    void add(
            int index,
            String id,
            ReadingType type,
            long start,
            long end,
            int offset,
            double value,
            double diastolic,
            int attrs,
            List<SleepStage> stages) {
        if (!claimId(index, id)) {
            return;
        }
        out.add(
                new NormalizedReading(
                        type, id, start, end, offset, value, diastolic, attrs, stages));
    }

    /**
     * Adds one sample of a series whose id was already claimed; the sample's own id ({@code id#n})
     * cannot clash with a sent id, which may not contain {@code #}.
     */
    void addSample(
            ReadingType type, String sampleId, long time, int offset, double value, int attrs) {
        out.add(
                new NormalizedReading(
                        type, sampleId, time, time, offset, value, Double.NaN, attrs, List.of()));
    }

    /** True the first time {@code id} is seen in the batch; after that a rejection is added. */
    boolean claimId(int index, String id) {
        if (!seenIds.add(id)) {
            reject(
                    index,
                    id,
                    RejectReason.DUPLICATE_IN_BATCH,
                    "another reading in this batch has the same id");
            return false;
        }
        return true;
    }

    void rejectUnit(int index, String id, ReadingType type) {
        StringBuilder sb = new StringBuilder();
        for (Unit u : type.units()) {
            sb.append(sb.length() == 0 ? "" : ", ").append(u.spelling());
        }
        reject(
                index,
                id,
                RejectReason.UNIT_NOT_ACCEPTED,
                "unit is not accepted for " + type.wireName() + "; use " + sb);
    }

    void reject(int index, String id, RejectReason reason, String message) {
        rejections.add(new Rejection(index, id, reason, message));
    }
}
