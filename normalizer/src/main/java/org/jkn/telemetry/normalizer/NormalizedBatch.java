package org.jkn.telemetry.normalizer;

import java.util.List;

/**
 * The outcome of normalizing one request body: either a whole-body {@link #error()} (nothing
 * accepted), or the patient's pseudonym, the device, the accepted readings and the rejected ones.
 */
public final class NormalizedBatch {

    private final BatchError error;
    private final String errorMessage;
    private final String patientId;
    private final DeviceInfo device;
    private final List<NormalizedReading> readings;
    private final List<Rejection> rejections;

    private NormalizedBatch(BatchError error, String errorMessage, String patientId, DeviceInfo device,
                            List<NormalizedReading> readings, List<Rejection> rejections) {
        this.error = error;
        this.errorMessage = errorMessage;
        this.patientId = patientId;
        this.device = device;
        this.readings = readings;
        this.rejections = rejections;
    }

    static NormalizedBatch refused(BatchError error, String message) {
        return new NormalizedBatch(error, message, null, null, List.of(), List.of());
    }

    static NormalizedBatch accepted(String patientId, DeviceInfo device, List<NormalizedReading> readings,
                                    List<Rejection> rejections) {
        return new NormalizedBatch(null, null, patientId, device, readings, rejections);
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
}
