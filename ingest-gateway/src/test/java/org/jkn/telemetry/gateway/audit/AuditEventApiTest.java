package org.jkn.telemetry.gateway.audit;

import static org.jkn.telemetry.gateway.GatewayFixture.json;
import static org.jkn.telemetry.gateway.audit.AuditTrailTest.enc;
import static org.jkn.telemetry.gateway.audit.AuditTrailTest.entries;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ca.uhn.fhir.context.FhirContext;
import ca.uhn.fhir.context.support.DefaultProfileValidationSupport;
import ca.uhn.fhir.validation.FhirValidator;
import ca.uhn.fhir.validation.ResultSeverityEnum;
import ca.uhn.fhir.validation.ValidationResult;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.net.http.HttpResponse;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Collectors;
import org.hl7.fhir.common.hapi.validation.support.CommonCodeSystemsTerminologyService;
import org.hl7.fhir.common.hapi.validation.support.InMemoryTerminologyServerValidationSupport;
import org.hl7.fhir.common.hapi.validation.support.SnapshotGeneratingValidationSupport;
import org.hl7.fhir.common.hapi.validation.support.ValidationSupportChain;
import org.hl7.fhir.common.hapi.validation.validator.FhirInstanceValidator;
import org.jkn.telemetry.gateway.GatewayFixture;
import org.jkn.telemetry.testing.Poll;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

/** {@code GET /fhir/AuditEvent}: valid R4, newest first, paged, and strict about its parameters. */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class AuditEventApiTest {

    /** This class's own patient on the shared gateway: its searches find only its own data. */
    static final String NIK = "3171020101900031";

    static final String PATIENT_ID = GatewayFixture.patientId(NIK);
    static final String EXAMPLE = GatewayFixture.example(NIK);
    GatewayFixture gw;
    FhirValidator validator;

    @BeforeAll
    void start() throws Exception {
        gw = GatewayFixture.shared(NIK);
        assertEquals(202, gw.postBatch(EXAMPLE).statusCode());
        Poll.until("example stored", () -> gw.observationCount() == 4);
        FhirContext fhir = FhirContext.forR4Cached();
        validator =
                fhir.newValidator()
                        .registerValidatorModule(
                                new FhirInstanceValidator(
                                        new ValidationSupportChain(
                                                new DefaultProfileValidationSupport(fhir),
                                                        new SnapshotGeneratingValidationSupport(
                                                                fhir),
                                                new InMemoryTerminologyServerValidationSupport(
                                                                fhir),
                                                        new CommonCodeSystemsTerminologyService(
                                                                fhir))));
    }

    @AfterAll
    void stop() {
        gw.close();
    }

    private HttpResponse<String> list(String query) throws Exception {
        HttpResponse<String> r = gw.get("/fhir/AuditEvent?patient=" + PATIENT_ID + query);
        assertEquals(200, r.statusCode(), r.body());
        return r;
    }

    private static String subtype(JsonObject auditEvent) {
        return auditEvent.getJsonArray("subtype").getJsonObject(0).getString("code");
    }

    @Test
    void theLatestSearchIsFirstWithItsPatientQueryAndOutcome() throws Exception {
        assertEquals(
                200,
                gw.get("/fhir/Observation?patient=" + PATIENT_ID + "&code=8867-4").statusCode());
        JsonObject ae = entries(list("&_count=1")).getJsonObject(0).getJsonObject("resource");
        assertEquals("AuditEvent", ae.getString("resourceType"));
        assertEquals("rest", ae.getJsonObject("type").getString("code"));
        assertEquals(
                "http://terminology.hl7.org/CodeSystem/audit-event-type",
                ae.getJsonObject("type").getString("system"));
        assertEquals("search-type", subtype(ae));
        assertEquals("E", ae.getString("action"));
        assertEquals("0", ae.getString("outcome"));
        assertTrue(Instant.parse(ae.getString("recorded")).isAfter(Instant.now().minusSeconds(60)));
        JsonArray entities = ae.getJsonArray("entity");
        assertEquals(
                "Patient/" + PATIENT_ID,
                entities.getJsonObject(0).getJsonObject("what").getString("reference"));
        assertEquals(
                "Observation?code=8867-4,40443-4&_sort=-date&_count=50&_offset=0",
                entities.getJsonObject(1).getString("description"));
        assertTrue(ae.getJsonArray("agent").getJsonObject(0).getBoolean("requestor"));
        assertNotNull(ae.getJsonObject("source").getJsonObject("observer"));
    }

    @Test
    void everyServedAuditEventIsValidR4() throws Exception {
        gw.get("/fhir/Observation?patient=" + PATIENT_ID);
        String obsId =
                gw.observations("")
                        .getJsonArray("entry")
                        .getJsonObject(0)
                        .getJsonObject("resource")
                        .getString("id");
        gw.get("/fhir/Observation/" + obsId);
        gw.get("/fhir/Patient/" + PATIENT_ID);
        HttpResponse<String> bundle = list("&_count=20");
        List<String> problems = new ArrayList<>(errors(bundle.body()));
        JsonArray e = entries(bundle);
        assertTrue(e.size() >= 3);
        for (int i = 0; i < e.size(); i++) {
            HttpResponse<String> one =
                    gw.get(
                            "/fhir/AuditEvent/"
                                    + e.getJsonObject(i).getJsonObject("resource").getString("id"));
            assertEquals(200, one.statusCode());
            problems.addAll(errors(one.body()));
        }
        assertEquals(
                List.of(), problems.stream().distinct().limit(20).collect(Collectors.toList()));
    }

    @Test
    void validatorCatchesABrokenAuditEvent() throws Exception {
        gw.get("/fhir/Patient/" + PATIENT_ID);
        JsonObject ae = entries(list("&_count=1")).getJsonObject(0).getJsonObject("resource");
        assertEquals(List.of(), errors(ae.encode()));
        ae.remove("recorded");
        ae.getJsonArray("agent").getJsonObject(0).remove("requestor");
        assertFalse(errors(ae.encode()).isEmpty());
    }

    @Test
    void pagingFollowsNextLinksNewestFirst() throws Exception {
        for (int i = 0; i < 3; i++) {
            gw.get("/fhir/Observation?patient=" + PATIENT_ID + "&_count=" + (i + 1));
        }
        List<String> recorded = new ArrayList<>();
        String next = "/fhir/AuditEvent?patient=" + PATIENT_ID + "&_count=2";
        int pages = 0;
        while (next != null) {
            HttpResponse<String> r = gw.get(next);
            assertEquals(200, r.statusCode(), r.body());
            JsonArray e = entries(r);
            e.forEach(
                    x ->
                            recorded.add(
                                    ((JsonObject) x)
                                            .getJsonObject("resource")
                                            .getString("recorded")));
            next = null;
            for (Object l : json(r).getJsonArray("link")) {
                if ("next".equals(((JsonObject) l).getString("relation"))) {
                    String url = ((JsonObject) l).getString("url");
                    next = url.substring(url.indexOf("/fhir/"));
                }
            }
            pages++;
        }
        assertTrue(
                pages >= 2 && recorded.size() >= 3,
                pages + " pages, " + recorded.size() + " events");
        for (int i = 1; i < recorded.size(); i++) {
            assertFalse(
                    Instant.parse(recorded.get(i)).isAfter(Instant.parse(recorded.get(i - 1))),
                    "newest first");
        }
    }

    @Test
    void dateNarrowsByRecordedTime() throws Exception {
        assertEquals(0, entries(list("&date=lt2000-01-01")).size());
        assertFalse(entries(list("&date=ge2000-01-01")).isEmpty());
        assertEquals(
                0, json(list("&date=ge2000-01-01&_count=0")).getJsonArray("entry") == null ? 0 : 1);
    }

    @Test
    void hostileSearchParametersGet400WithAnOperationOutcome() throws Exception {
        String[] refused = {
            "/fhir/AuditEvent?patient=" + enc("x' or '1'='1"),
            "/fhir/AuditEvent?patient=" + PATIENT_ID + "&patient=" + PATIENT_ID,
            "/fhir/AuditEvent?patient=" + enc("Patient/" + "a".repeat(65)),
            "/fhir/AuditEvent?patient="
                    + PATIENT_ID
                    + "&date="
                    + enc("ge2026-11-22'; delete from audit_events; --"),
            "/fhir/AuditEvent?patient=" + PATIENT_ID + "&date=ge" + "9".repeat(5000),
            "/fhir/AuditEvent?patient=" + PATIENT_ID + "&date=zz2026-11-22",
            "/fhir/AuditEvent?patient=" + PATIENT_ID + "&date=1&date=2&date=3&date=4&date=5",
            "/fhir/AuditEvent?patient=" + PATIENT_ID + "&_count=99999999999",
            "/fhir/AuditEvent?patient=" + PATIENT_ID + "&_count=" + enc("1 union select *"),
            "/fhir/AuditEvent?patient=" + PATIENT_ID + "&_offset=-1",
            "/fhir/AuditEvent?patient=" + PATIENT_ID + "&_sort=date",
            "/fhir/AuditEvent?patient=" + PATIENT_ID + "&agent=" + enc("Practitioner/1"),
            "/fhir/AuditEvent?patient=" + PATIENT_ID + "&" + "x".repeat(3000) + "=1",
        };
        for (String q : refused) {
            HttpResponse<String> r = gw.get(q);
            assertEquals(400, r.statusCode(), q.length() > 200 ? q.substring(0, 200) : q);
            JsonObject oo = json(r);
            assertEquals("OperationOutcome", oo.getString("resourceType"));
            assertFalse(
                    oo.getJsonArray("issue").getJsonObject(0).getString("diagnostics").isBlank());
            assertTrue(r.body().length() < 2000, "the diagnostics do not echo huge input");
        }
        for (String id : new String[] {"nope", "1' or '1'='1", "x".repeat(200)}) {
            assertEquals(404, gw.get("/fhir/AuditEvent/" + enc(id)).statusCode(), id);
        }
        assertFalse(entries(list("")).isEmpty(), "the trail is intact");
    }

    private List<String> errors(String body) {
        ValidationResult result = validator.validateWithResult(body);
        return result.getMessages().stream()
                .filter(
                        m ->
                                m.getSeverity() == ResultSeverityEnum.ERROR
                                        || m.getSeverity() == ResultSeverityEnum.FATAL)
                .map(m -> m.getLocationString() + ": " + m.getMessage())
                .collect(Collectors.toList());
    }
}
