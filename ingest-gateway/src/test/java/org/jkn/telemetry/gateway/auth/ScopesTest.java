package org.jkn.telemetry.gateway.auth;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

/** SMART v2 scope syntax, its v1 equivalents, and what grants nothing. */
class ScopesTest {

    @Test
    void v2PermissionsGrantExactlyTheirLetters() {
        Scopes s = Scopes.parse("patient/Observation.rs patient/Consent.cru");
        assertTrue(s.allows("patient", "Observation", 'r'));
        assertTrue(s.allows("patient", "Observation", 's'));
        assertFalse(s.allows("patient", "Observation", 'c'));
        assertFalse(s.allows("user", "Observation", 'r'), "another context");
        assertFalse(s.allows("patient", "Patient", 'r'), "another type");
        assertTrue(s.allows("patient", "Consent", 'u'));
        assertFalse(s.allows("patient", "Consent", 'd'));
        assertFalse(s.allows("patient", "Observation", 'x'));
    }

    @Test
    void v1ReadWriteAndWildcardsMapToV2() {
        Scopes s = Scopes.parse("user/Observation.read patient/Observation.write system/*.*");
        assertTrue(s.allows("user", "Observation", 'r') && s.allows("user", "Observation", 's'));
        assertFalse(s.allows("user", "Observation", 'c'));
        assertTrue(
                s.allows("patient", "Observation", 'c')
                        && s.allows("patient", "Observation", 'u')
                        && s.allows("patient", "Observation", 'd'));
        assertFalse(s.allows("patient", "Observation", 'r'), ".write does not read");
        assertTrue(s.allows("system", "Device", 'd'));
        assertTrue(Scopes.parse("patient/*.rs").allows("patient", "AuditEvent", 's'));
    }

    @Test
    void malformedOrNarrowedScopesGrantNothing() {
        for (String bad :
                new String[] {
                    "patient/Observation.sr",
                    "patient/Observation.rrs",
                    "patient/Observation.rx",
                    "patient/Observation.",
                    "patient/Observation",
                    "doctor/Observation.rs",
                    "patient/observation.rs",
                    "patient/Observation.rs?category=vital-signs",
                    "/Observation.rs",
                    "patient/.rs",
                    "patient/Obser vation.rs",
                    "patient/Observation.READ",
                    "PATIENT/Observation.rs"
                }) {
            Scopes s = Scopes.parse(bad);
            for (char p : "cruds".toCharArray()) {
                assertFalse(s.allows("patient", "Observation", p), bad + " grants " + p);
            }
        }
        assertEquals("", Scopes.parse(null).toString());
        assertEquals("", Scopes.parse("   ").toString());
    }

    @Test
    void theAdminScopeIsExactAndSeparate() {
        assertTrue(Scopes.parse("openid telemetry.admin").has(Scopes.ADMIN));
        assertFalse(Scopes.parse("telemetry.admins").has(Scopes.ADMIN));
        assertFalse(Scopes.parse("TELEMETRY.ADMIN").has(Scopes.ADMIN));
        assertFalse(
                Scopes.parse("telemetry.admin").allows("system", "Observation", 'r'),
                "no health data with it");
    }
}
