package org.jkn.telemetry.normalizer;

import java.util.ArrayList;
import java.util.List;
import org.jkn.telemetry.normalizer.catalog.DataCategory;

/**
 * The outcome of normalizing one request body: either a whole-body {@link #error()} (nothing
 * accepted), or the patient's pseudonym, the device, the accepted readings and the rejected ones.
 * Immutable.
 */
public final class NormalizedBatch {

    private final BatchError error;
    private final String errorMessage;
    private final String patientId;
    private final DeviceInfo device;
    private final List<NormalizedReading> readings;
    private final List<Rejection> rejections;

    /** Batch position of each reading, parallel to {@link #readings}. */
    private final int[] sourceIndexes;

    private NormalizedBatch(
            BatchError error,
            String errorMessage,
            String patientId,
            DeviceInfo device,
            List<NormalizedReading> readings,
            List<Rejection> rejections,
            int[] sourceIndexes) {
        this.error = error;
        this.errorMessage = errorMessage;
        this.patientId = patientId;
        this.device = device;
        this.readings = readings;
        this.rejections = rejections;
        this.sourceIndexes = sourceIndexes;
    }

    static NormalizedBatch refused(BatchError error, String message) {
        return new NormalizedBatch(error, message, null, null, List.of(), List.of(), new int[0]);
    }

    static NormalizedBatch accepted(
            String patientId,
            DeviceInfo device,
            List<NormalizedReading> readings,
            List<Rejection> rejections,
            int[] sourceIndexes) {
        return new NormalizedBatch(
                null, null, patientId, device, readings, rejections, sourceIndexes);
    }

    /**
     * This batch with every reading whose data category is not in {@code allowed} (a {@link
     * DataCategory} bit set) moved to the rejections as {@link RejectReason#CONSENT_REQUIRED},
     * rejections kept in batch order. Returns this batch, allocating nothing, when every reading is
     * allowed.
     */
    public NormalizedBatch onlyCategories(int allowed) {
        if (error != null) {
            return this;
        }
        // fast path: one pass over the types, no allocation
        int present = 0;
        for (int i = 0; i < readings.size(); i++) {
            present |= readings.get(i).type().dataCategory().bit();
        }
        if ((present & ~allowed) == 0) {
            return this;
        }
        return withoutCategoriesSlowPath(allowed);
    }

    private NormalizedBatch withoutCategoriesSlowPath(int allowed) {
        List<NormalizedReading> kept = new ArrayList<>(readings.size());
        int[] keptIndexes = new int[readings.size()];
        List<Rejection> refused = new ArrayList<>();
        for (int i = 0; i < readings.size(); i++) {
            NormalizedReading r = readings.get(i);
            DataCategory c = r.type().dataCategory();
            if ((allowed & c.bit()) != 0) {
                keptIndexes[kept.size()] = sourceIndexes[i];
                kept.add(r);
            } else {
                refused.add(
                        new Rejection(
                                sourceIndexes[i],
                                r.readingId(),
                                RejectReason.CONSENT_REQUIRED,
                                "the patient has no consent in force to the collection of "
                                        + c.code()
                                        + " data"));
            }
        }
        List<Rejection> merged = new ArrayList<>(rejections.size() + refused.size());
        int a = 0;
        int b = 0;
        while (a < rejections.size() || b < refused.size()) {
            boolean takeOld =
                    b == refused.size()
                            || (a < rejections.size()
                                    && rejections.get(a).index() <= refused.get(b).index());
            merged.add(takeOld ? rejections.get(a++) : refused.get(b++));
        }
        return new NormalizedBatch(
                null,
                null,
                patientId,
                device,
                List.copyOf(kept),
                List.copyOf(merged),
                java.util.Arrays.copyOf(keptIndexes, kept.size()));
    }

    /** Null when the body was a batch. */
    public BatchError error() {
        return error;
    }

    public String errorMessage() {
        return errorMessage;
    }

    /** Pseudonym of the patient's NIK; the NIK itself is not kept. */
    public String patientId() {
        return patientId;
    }

    public DeviceInfo device() {
        return device;
    }

    public List<NormalizedReading> readings() {
        return readings;
    }

    public List<Rejection> rejections() {
        return rejections;
    }

    /**
     * The batch position (the reading's index in {@code readings}) of accepted reading {@code i}.
     */
    public int sourceIndex(int i) {
        return sourceIndexes[i];
    }
}
