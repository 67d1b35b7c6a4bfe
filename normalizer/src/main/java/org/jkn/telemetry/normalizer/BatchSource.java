package org.jkn.telemetry.normalizer;

/**
 * Who sent a batch when an authenticated channel already knows it: the pseudonym of the patient a
 * device is registered for, and that device; or, for an app holding a patient's token, that patient
 * alone ({@code device} null: the batch names its patient and device). A batch from such a source
 * may repeat them but never contradict them.
 */
public record BatchSource(String patientId, DeviceInfo device) {

    public BatchSource {
        if (patientId == null) {
            throw new IllegalArgumentException("a source has a patient");
        }
    }

    /** A source that vouches for the patient only: an app signed in as that patient. */
    public static BatchSource patient(String patientId) {
        return new BatchSource(patientId, null);
    }
}
