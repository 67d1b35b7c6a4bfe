package org.jkn.telemetry.store.device;

/**
 * An authenticated device: its id, the pseudonym of the patient it publishes for, and what it is.
 */
public record RegisteredDevice(String id, String patientId, String manufacturer, String model) {}
