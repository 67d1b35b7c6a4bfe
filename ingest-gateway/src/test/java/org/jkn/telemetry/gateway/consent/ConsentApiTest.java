package org.jkn.telemetry.gateway.consent;

import static org.jkn.telemetry.gateway.Consents.collect;
import static org.jkn.telemetry.gateway.Consents.consent;
import static org.jkn.telemetry.gateway.Consents.disclose;
import static org.jkn.telemetry.gateway.GatewayFixture.json;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ca.uhn.fhir.context.FhirContext;
import ca.uhn.fhir.context.support.DefaultProfileValidationSupport;
import ca.uhn.fhir.validation.FhirValidator;
import ca.uhn.fhir.validation.ResultSeverityEnum;
import ca.uhn.fhir.validation.ValidationResult;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.function.UnaryOperator;
import org.hl7.fhir.common.hapi.validation.support.CommonCodeSystemsTerminologyService;
import org.hl7.fhir.common.hapi.validation.support.InMemoryTerminologyServerValidationSupport;
import org.hl7.fhir.common.hapi.validation.support.SnapshotGeneratingValidationSupport;
import org.hl7.fhir.common.hapi.validation.support.ValidationSupportChain;
import org.hl7.fhir.common.hapi.validation.validator.FhirInstanceValidator;
import org.jkn.telemetry.gateway.GatewayFixture;
import org.jkn.telemetry.normalizer.catalog.DataCategory;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

/**
 * The Consent resource API: round trips, versions, what the HAPI validator says of what is
 * returned, and hostile bodies.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class ConsentApiTest {

    /** This class's own patient on the shared gateway: its searches find only its own data. */
    static final String NIK = "3171020101900051";

    private static final String PATIENT = GatewayFixture.patientId(NIK);

    GatewayFixture gw;
    FhirValidator validator;

    @BeforeAll
    void start() throws Exception {
        gw = GatewayFixture.sharedWithoutConsent(NIK);
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

    private static JsonObject example() {
        return consent(
                PATIENT,
                collect(DataCategory.VITALS, DataCategory.CYCLE),
                disclose("Organization/rs-cipto", DataCategory.VITALS)
                        .put("period", new JsonObject().put("start", "2026-01-01")));
    }

    private HttpResponse<String> post(String contentType, byte[] body) throws Exception {
        return gw.post("/fhir/Consent", contentType, body);
    }

    private HttpResponse<String> post(JsonObject body) throws Exception {
        return gw.postConsent(body);
    }

    private void assertValid(String resource) {
        ValidationResult v = validator.validateWithResult(resource);
        List<String> errors =
                v.getMessages().stream()
                        .filter(
                                m ->
                                        m.getSeverity().ordinal()
                                                >= ResultSeverityEnum.ERROR.ordinal())
                        .map(m -> m.getLocationString() + " " + m.getMessage())
                        .toList();
        assertEquals(List.of(), errors, resource);
    }

    /** The status, and that the body is an OperationOutcome with an error issue. */
    private static int outcome(HttpResponse<String> r) {
        JsonObject oo = json(r);
        assertEquals("OperationOutcome", oo.getString("resourceType"), r.body());
        assertEquals("error", oo.getJsonArray("issue").getJsonObject(0).getString("severity"));
        assertFalse(oo.getJsonArray("issue").getJsonObject(0).getString("diagnostics").isBlank());
        return r.statusCode();
    }

    @Test
    void createReadSearchUpdateAndDeleteWithVersions() throws Exception {
        HttpResponse<String> created = post(example());
        assertEquals(201, created.statusCode(), created.body());
        JsonObject c = json(created);
        String id = c.getString("id");
        assertEquals("1", c.getJsonObject("meta").getString("versionId"));
        assertEquals("W/\"1\"", created.headers().firstValue("ETag").orElse(""));
        assertTrue(
                created.headers()
                        .firstValue("Location")
                        .orElse("")
                        .endsWith("/fhir/Consent/" + id + "/_history/1"));
        assertValid(created.body());

        HttpResponse<String> read = gw.get("/fhir/Consent/" + id);
        assertEquals(200, read.statusCode());
        assertEquals(c, json(read));
        assertValid(read.body());
        assertEquals(200, gw.get("/fhir/Consent/" + id, "application/fhir+xml").statusCode());

        HttpResponse<String> search = gw.get("/fhir/Consent?patient=Patient/" + PATIENT);
        assertEquals(200, search.statusCode());
        JsonObject bundle = json(search);
        assertEquals("searchset", bundle.getString("type"));
        assertTrue(bundle.getInteger("total") >= 1);
        assertValid(search.body());
        assertEquals(
                0,
                json(gw.get("/fhir/Consent?patient=someone-else", null, gw.adminToken()))
                        .getInteger("total"));

        java.util.function.Supplier<HttpRequest.Builder> put =
                () ->
                        HttpRequest.newBuilder(gw.uri("/fhir/Consent/" + id))
                                .header("Content-Type", "application/fhir+json")
                                .header("If-Match", "W/\"1\"")
                                .timeout(Duration.ofSeconds(30))
                                .PUT(
                                        HttpRequest.BodyPublishers.ofString(
                                                example()
                                                        .put("id", id)
                                                        .put("status", "inactive")
                                                        .encode()));
        HttpResponse<String> updated = gw.send(put.get(), gw.defaultToken());
        assertEquals(200, updated.statusCode(), updated.body());
        assertEquals("2", json(updated).getJsonObject("meta").getString("versionId"));
        assertEquals("inactive", json(updated).getString("status"));
        HttpResponse<String> stale = gw.send(put.get(), gw.defaultToken());
        assertEquals(412, outcome(stale), "If-Match W/\"1\" is no longer current");

        assertEquals(204, gw.delete("/fhir/Consent/" + id, gw.adminToken()).statusCode());
        assertEquals(404, outcome(gw.get("/fhir/Consent/" + id)));
        assertEquals(404, outcome(gw.delete("/fhir/Consent/" + id, gw.adminToken())));
        assertEquals(404, outcome(gw.putConsent(id, example())), "update does not create");
    }

    @Test
    void aNikIdentifierBecomesThePatientReferenceAndIsNeverStored() throws Exception {
        JsonObject body = example();
        body.put(
                "patient",
                new JsonObject()
                        .put(
                                "identifier",
                                new JsonObject()
                                        .put("system", "https://fhir.kemkes.go.id/id/nik")
                                        .put("value", NIK)));
        HttpResponse<String> r = post(body);
        assertEquals(201, r.statusCode(), r.body());
        assertEquals("Patient/" + PATIENT, json(r).getJsonObject("patient").getString("reference"));
        assertFalse(r.body().contains(NIK));
        assertFalse(gw.get("/fhir/Consent/" + json(r).getString("id")).body().contains(NIK));
    }

    @Test
    void bodiesThatAreNotAFhirConsentAre400() throws Exception {
        assertEquals(
                400, outcome(post(new JsonObject().put("resourceType", "Patient").put("id", "x"))));
        assertEquals(
                400,
                outcome(
                        post(
                                "application/fhir+json",
                                "{not json".getBytes(StandardCharsets.UTF_8))));
        assertEquals(400, outcome(post("application/fhir+json", new byte[0])));
        assertEquals(
                400,
                outcome(post(example().put("unknownElement", true))),
                "unknown elements are refused, not dropped");
        assertEquals(400, outcome(post(example().put("dateTime", "2026-13-45"))), "invalid date");
        JsonObject badPeriod = example();
        badPeriod
                .getJsonObject("provision")
                .put("period", new JsonObject().put("start", "yesterday"));
        assertEquals(400, outcome(post(badPeriod)));
        assertEquals(400, outcome(post(example().put("status", "maybe"))), "unknown status code");
    }

    @Test
    void deepHugeAndNonJsonBodiesAreRefusedCheaply() throws Exception {
        String deep =
                "{\"resourceType\":\"Consent\",\"provision\":"
                        + "{\"provision\":[".repeat(3000)
                        + "]}".repeat(3000)
                        + "}";
        assertTrue(deep.length() < ConsentBodies.MAX_BYTES);
        assertEquals(
                400, outcome(post("application/fhir+json", deep.getBytes(StandardCharsets.UTF_8))));
        String arrays = "[".repeat(20_000) + "]".repeat(20_000);
        assertEquals(
                400,
                outcome(post("application/fhir+json", arrays.getBytes(StandardCharsets.UTF_8))));

        JsonObject huge =
                example()
                        .put(
                                "text",
                                new JsonObject()
                                        .put("status", "generated")
                                        .put(
                                                "div",
                                                "<div xmlns=\"http://www.w3.org/1999/xhtml\">"
                                                        + "x".repeat(70_000)
                                                        + "</div>"));
        assertEquals(413, outcome(post(huge)));
        assertEquals(
                415,
                outcome(
                        post(
                                "application/fhir+xml",
                                "<Consent xmlns=\"http://hl7.org/fhir\"/>"
                                        .getBytes(StandardCharsets.UTF_8))));
        assertEquals(200, gw.get("/health").statusCode(), "the server is unharmed");
    }

    private int refused(UnaryOperator<JsonObject> change) throws Exception {
        return outcome(post(change.apply(example())));
    }

    private static JsonObject permit(JsonObject c, int i) {
        return c.getJsonObject("provision").getJsonArray("provision").getJsonObject(i);
    }

    @Test
    void consentsOfAShapeThisServerDoesNotEnforceAre422() throws Exception {
        assertEquals(
                422,
                refused(
                        c -> {
                            permit(c, 0)
                                    .getJsonArray("code")
                                    .getJsonObject(0)
                                    .getJsonArray("coding")
                                    .getJsonObject(0)
                                    .put("code", "genome");
                            return c;
                        }),
                "unknown data category");
        assertEquals(
                422,
                refused(
                        c -> {
                            permit(c, 0)
                                    .getJsonArray("code")
                                    .getJsonObject(0)
                                    .getJsonArray("coding")
                                    .getJsonObject(0)
                                    .put("system", "http://loinc.org");
                            return c;
                        }),
                "a code of another system");
        assertEquals(
                422,
                refused(
                        c ->
                                c.put(
                                        "patient",
                                        new JsonObject()
                                                .put("reference", "Patient/../Consent/x"))));
        assertEquals(
                422,
                refused(
                        c ->
                                c.put(
                                        "patient",
                                        new JsonObject().put("reference", "Organization/x"))));
        assertEquals(
                422,
                refused(
                        c ->
                                c.put(
                                        "patient",
                                        new JsonObject()
                                                .put(
                                                        "identifier",
                                                        new JsonObject()
                                                                .put(
                                                                        "system",
                                                                        "https://fhir.kemkes.go.id/id/nik")
                                                                .put(
                                                                        "value",
                                                                        "3171011508850000")))),
                "invalid NIK");
        assertEquals(
                422,
                refused(
                        c -> {
                            c.remove("scope");
                            return c;
                        }));
        assertEquals(
                422,
                refused(
                        c -> {
                            c.remove("policyRule");
                            return c;
                        }));
        assertEquals(
                422,
                refused(
                        c -> {
                            c.getJsonObject("provision").put("type", "permit");
                            return c;
                        }),
                "a root permit would be a default allow");
        assertEquals(
                422,
                refused(
                        c -> {
                            permit(c, 0).put("provision", new JsonArray().add(collect()));
                            return c;
                        }),
                "nesting deeper");
        assertEquals(
                422,
                refused(
                        c -> {
                            permit(c, 0)
                                    .put(
                                            "action",
                                            new JsonArray()
                                                    .add(
                                                            org.jkn.telemetry.gateway.Consents
                                                                    .concept(
                                                                            org.jkn.telemetry
                                                                                    .gateway
                                                                                    .Consents
                                                                                    .ACTION_SYSTEM,
                                                                            "use")));
                            return c;
                        }));
        assertEquals(
                422,
                refused(
                        c -> {
                            permit(c, 1).remove("actor");
                            return c;
                        }),
                "disclosure to nobody named");
        assertEquals(
                422,
                refused(
                        c -> {
                            permit(c, 1)
                                    .getJsonArray("actor")
                                    .getJsonObject(0)
                                    .put(
                                            "reference",
                                            new JsonObject().put("reference", "Patient/x"));
                            return c;
                        }));
        assertEquals(
                422,
                refused(
                        c -> {
                            permit(c, 1)
                                    .put("dataPeriod", new JsonObject().put("start", "2026-01-01"));
                            return c;
                        }),
                "not enforced, so not accepted");
        assertEquals(
                422,
                refused(
                        c -> {
                            permit(c, 1)
                                    .put(
                                            "period",
                                            new JsonObject()
                                                    .put("start", "2026-02-01")
                                                    .put("end", "2026-01-01"));
                            return c;
                        }),
                "end before start");
        assertEquals(
                422,
                refused(
                        c ->
                                c.put(
                                        "contained",
                                        new JsonArray()
                                                .add(
                                                        new JsonObject()
                                                                .put("resourceType", "Patient")
                                                                .put("id", "p")))));
    }

    @Test
    void anUpdateMustKeepItsIdAndPatient() throws Exception {
        String id = json(post(example())).getString("id");
        assertEquals(
                403,
                outcome(gw.putConsent(id, consent("another-patient", collect()))),
                "a patient token names only its own patient");
        assertEquals(
                422,
                outcome(gw.putConsent(id, consent("another-patient", collect()), gw.adminToken())),
                "and not even an admin moves a Consent to another patient");
        HttpRequest.Builder mismatch =
                HttpRequest.newBuilder(gw.uri("/fhir/Consent/" + id))
                        .header("Content-Type", "application/fhir+json")
                        .PUT(
                                HttpRequest.BodyPublishers.ofString(
                                        example().put("id", "not-" + id).encode()));
        assertEquals(400, outcome(gw.send(mismatch, gw.defaultToken())));
        assertEquals(400, outcome(gw.get("/fhir/Consent?status=active")));
    }
}
