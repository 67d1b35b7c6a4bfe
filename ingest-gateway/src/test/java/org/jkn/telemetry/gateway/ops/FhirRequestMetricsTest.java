package org.jkn.telemetry.gateway.ops;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.jkn.telemetry.gateway.GatewayFixture;
import org.jkn.telemetry.gateway.wiring.HttpRoutesAccess;
import org.junit.jupiter.api.Test;

/**
 * FHIR requests are timed into a histogram whose resource tag comes from a fixed set, so a hostile
 * path cannot grow the metrics; JVM heap and GC are exported beside them.
 */
class FhirRequestMetricsTest {

    @Test
    void requestsAreTimedByResourceAndHostilePathsFallIntoOther() throws Exception {
        GatewayFixture gw = GatewayFixture.shared("3171019901010077");
        assertEquals(200, gw.get("/fhir/metadata").statusCode());
        gw.get("/fhir/Observation?patient=" + gw.patientId());
        gw.get("/fhir/%00Evil%2F..%2Fx?y=1");
        gw.get("/fhir/Observationx" + "A".repeat(200));

        String scrape = gw.get("/metrics").body();
        assertTrue(
                scrape.contains("telemetry_fhir_request_seconds_bucket{")
                        && scrape.contains("resource=\"metadata\""),
                "the metadata request is timed");
        assertTrue(scrape.contains("resource=\"Observation\""), "the search is timed");
        assertTrue(scrape.contains("resource=\"other\""), "unknown paths are one bucket");
        assertFalse(scrape.contains("Evil"), "no path text reaches a tag");
        assertFalse(scrape.contains("Observationx"), "no path text reaches a tag");
        assertTrue(scrape.contains("jvm_memory_used_bytes{"), "heap is exported");
        assertTrue(scrape.contains("jvm_gc_"), "GC is exported");
    }

    @Test
    void resourceTagsAreAFixedSet() {
        assertEquals("Observation", HttpRoutesAccess.resourceOf("/fhir/Observation/abc"));
        assertEquals("Patient", HttpRoutesAccess.resourceOf("/fhir/Patient?identifier=x"));
        assertEquals("metadata", HttpRoutesAccess.resourceOf("/fhir/metadata"));
        assertEquals("other", HttpRoutesAccess.resourceOf("/fhir/"));
        assertEquals("other", HttpRoutesAccess.resourceOf("/fhir/Observations"));
        assertEquals("other", HttpRoutesAccess.resourceOf("/fhir/\u0000"));
    }
}
