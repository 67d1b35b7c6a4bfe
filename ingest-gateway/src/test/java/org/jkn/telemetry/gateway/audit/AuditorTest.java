package org.jkn.telemetry.gateway.audit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

import org.jkn.telemetry.gateway.GatewayFixture;
import org.junit.jupiter.api.Test;

/** What may name a patient or an actor in the trail. */
class AuditorTest {

    @Test
    void onlyPseudonymShapedIdsAreRecordedAsThePatient() {
        assertEquals(GatewayFixture.PATIENT_ID, Auditor.patientOrNull(GatewayFixture.PATIENT_ID));
        assertNull(Auditor.patientOrNull(GatewayFixture.NIK));
        assertNull(Auditor.patientOrNull(GatewayFixture.PATIENT_ID.toUpperCase()));
        assertNull(Auditor.patientOrNull(GatewayFixture.PATIENT_ID + "0"));
        assertNull(Auditor.patientOrNull("x' or '1'='1"));
        assertNull(Auditor.patientOrNull(null));
    }

    @Test
    void claimsHoldingANikAreNotKept() {
        assertNull(Auditor.scrub(GatewayFixture.NIK));
        assertNull(Auditor.scrub("user-" + GatewayFixture.NIK + "@idp"));
        assertEquals("Practitioner/123", Auditor.scrub("Practitioner/123"));
        assertEquals(
                "1234567890123456",
                Auditor.scrub("1234567890123456"),
                "16 digits that are no valid NIK stay");
        assertEquals(256, Auditor.scrub("a".repeat(1000)).length());
    }
}
