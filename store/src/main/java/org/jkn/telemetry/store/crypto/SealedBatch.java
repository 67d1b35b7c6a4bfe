package org.jkn.telemetry.store.crypto;

import java.util.List;

/** A journal record of sealed readings: one patient, sealed under one data key version. */
public record SealedBatch(
        String patientId, int keyVersion, long receivedMicros, List<SealedReading> readings) {}
