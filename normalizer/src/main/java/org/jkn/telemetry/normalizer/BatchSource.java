package org.jkn.telemetry.normalizer;

/**
 * Who sent a batch when an authenticated channel already knows it: the pseudonym of the patient a
 * device is registered for, and that device. A batch from such a source may repeat them but never
 * contradict them.
 */
public record BatchSource(String patientId, DeviceInfo device) {

    public BatchSource {
        if (patientId == null || device == null) {
            throw new IllegalArgumentException("a source has a patient and a device");
        }
    }
}
