package org.jkn.telemetry.normalizer;

/** The device that sent a batch, as the batch describes it. Manufacturer and model may be null. */
public record DeviceInfo(String id, String manufacturer, String model) {}
