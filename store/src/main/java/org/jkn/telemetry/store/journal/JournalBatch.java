package org.jkn.telemetry.store.journal;

import java.util.List;
import org.jkn.telemetry.normalizer.DeviceInfo;
import org.jkn.telemetry.normalizer.NormalizedReading;

/**
 * What one accepted batch leaves in the journal: the patient's pseudonym (never the NIK), the
 * device, when it was received, and the readings that passed the checks.
 */
public record JournalBatch(
        String patientId,
        DeviceInfo device,
        long receivedMicros,
        List<NormalizedReading> readings) {}
