package org.jkn.telemetry.normalizer;

import static org.jkn.telemetry.normalizer.Batches.NOW;
import static org.jkn.telemetry.normalizer.Batches.bytes;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

import org.jkn.telemetry.normalizer.identity.Pseudonymizer;
import org.junit.jupiter.api.Test;

/**
 * A batch from an app signed in as one patient: it must name that patient (compared as a pseudonym)
 * and its own device.
 */
class PatientSourceTest {

    private final Pseudonymizer pseudonymizer = new Pseudonymizer(Batches.KEY);
    private final BatchNormalizer normalizer =
            new BatchNormalizer(pseudonymizer, NormalizerLimits.DEFAULTS);
    private final BatchSource signedIn = BatchSource.patient(pseudonymizer.patientId(Batches.NIK));

    @Test
    void theSignedInPatientsBatchIsAcceptedWithTheDeviceItNames() {
        NormalizedBatch b = normalizer.normalize(bytes(Batches.EXAMPLE), NOW, signedIn);
        assertNull(b.error(), b::errorMessage);
        assertEquals(signedIn.patientId(), b.patientId());
        assertEquals(new DeviceInfo("watch-7f3a", "Acme", "Band 5"), b.device());
    }

    @Test
    void aBatchNamingAnotherPatientIsRefused() {
        String other = Batches.EXAMPLE.replace(Batches.NIK, "3273024506900002");
        assertEquals(
                BatchError.PATIENT_MISMATCH,
                normalizer.normalize(bytes(other), NOW, signedIn).error());
    }

    @Test
    void anAppsBatchStillNamesItsPatientAndDevice() {
        String noPatient = Batches.EXAMPLE.replaceFirst("\"patient\"\\s*:\\s*\"[0-9]+\"\\s*,", "");
        assertEquals(
                BatchError.PATIENT_MISSING,
                normalizer.normalize(bytes(noPatient), NOW, signedIn).error());
        String noDevice = Batches.EXAMPLE.replaceFirst("\"device\"\\s*:\\s*\\{[^}]*}\\s*,", "");
        assertEquals(
                BatchError.DEVICE_MISSING,
                normalizer.normalize(bytes(noDevice), NOW, signedIn).error());
    }
}
