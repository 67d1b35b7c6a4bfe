package org.jkn.telemetry.store.device;

/**
 * What registering a device needs: the patient's pseudonym (never the NIK), what the device is, and
 * its serial number, which is hashed with a key before it is stored.
 */
public record DeviceRegistration(
        String patientId, String manufacturer, String model, String serial) {

    public DeviceRegistration {
        if (patientId == null || patientId.isEmpty()) {
            throw new IllegalArgumentException("patientId is required");
        }
        if (serial == null || serial.isEmpty()) {
            throw new IllegalArgumentException("serial is required");
        }
    }

    @Override
    public String toString() {
        return "DeviceRegistration[manufacturer=" + manufacturer + ", model=" + model + "]";
    }
}
