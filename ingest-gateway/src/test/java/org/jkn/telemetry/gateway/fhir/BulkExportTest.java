package org.jkn.telemetry.gateway.fhir;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ca.uhn.fhir.context.FhirContext;
import ca.uhn.fhir.parser.IParser;
import ca.uhn.fhir.rest.api.MethodOutcome;
import ca.uhn.fhir.rest.client.api.IGenericClient;
import ca.uhn.fhir.rest.client.api.ServerValidationModeEnum;
import ca.uhn.fhir.rest.client.interceptor.BearerTokenAuthInterceptor;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.net.URLEncoder;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import org.hl7.fhir.r4.model.Bundle;
import org.hl7.fhir.r4.model.IdType;
import org.hl7.fhir.r4.model.Observation;
import org.hl7.fhir.r4.model.Parameters;
import org.jkn.telemetry.gateway.Consents;
import org.jkn.telemetry.gateway.GatewayFixture;
import org.jkn.telemetry.gateway.auth.dev.DevTokens;
import org.jkn.telemetry.normalizer.catalog.DataCategory;
import org.jkn.telemetry.testing.Poll;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

/**
 * Bulk export ($export) on the shared gateway: the async flow over plain HTTP and HAPI's client,
 * NDJSON equal to what search returns, _since and _type, who may poll and download, cancel, consent
 * and hostile input.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class BulkExportTest {

    /** The patient who exports their own data. */
    static final String NIK = "3171020101900201";

    /** Discloses activity to the clinician personally, not to the organization. */
    static final String PERSONAL_NIK = "3171020101900202";

    /** Discloses vitals to the clinician's organization. */
    static final String ORGANIZATION_NIK = "3171020101900203";

    /** Discloses nothing to anyone. */
    static final String PRIVATE_NIK = "3171020101900204";

    static final String DOCTOR = "Practitioner/export-doc";
    static final String ORGANIZATION_ID = "export-org";

    private final FhirContext fhir = FhirContext.forR4Cached();
    private final IParser parser = fhir.newJsonParser();
    private GatewayFixture gw;
    private ExportClient export;
    private String clinician;

    @BeforeAll
    void start() throws Exception {
        gw = GatewayFixture.shared(NIK);
        export = new ExportClient(gw);
        clinician =
                gw.tokens()
                        .clinician(
                                DOCTOR,
                                "Organization/" + ORGANIZATION_ID,
                                DevTokens.CLINICIAN_SCOPES,
                                DevTokens.DEFAULT_TTL);
        for (String nik : List.of(PERSONAL_NIK, ORGANIZATION_NIK, PRIVATE_NIK)) {
            gw.consentToCollectingEverything(nik);
        }
        disclose(PERSONAL_NIK, DOCTOR, DataCategory.ACTIVITY);
        disclose(ORGANIZATION_NIK, "Organization/" + ORGANIZATION_ID, DataCategory.VITALS);
        for (String nik : List.of(NIK, PERSONAL_NIK, ORGANIZATION_NIK, PRIVATE_NIK)) {
            assertEquals(
                    202,
                    gw.post(
                                    "/v1/readings",
                                    "application/json",
                                    GatewayFixture.example(nik).getBytes(StandardCharsets.UTF_8),
                                    gw.patientToken(nik))
                            .statusCode());
        }
        for (String nik : List.of(NIK, PERSONAL_NIK, ORGANIZATION_NIK, PRIVATE_NIK)) {
            Poll.until("example stored for " + nik, () -> searchIds(nik).size() == 4);
        }
    }

    @AfterAll
    void stop() {
        gw.close();
    }

    private void disclose(String nik, String actor, DataCategory category) throws Exception {
        HttpResponse<String> r =
                gw.postConsent(
                        Consents.consent(
                                GatewayFixture.patientId(nik), Consents.disclose(actor, category)),
                        gw.patientToken(nik));
        assertEquals(201, r.statusCode(), r.body());
    }

    /** The Observations search returns for the patient, with the patient's token, by id. */
    private Map<String, Observation> search(String nik) throws Exception {
        HttpResponse<String> r =
                gw.get(
                        "/fhir/Observation?patient="
                                + GatewayFixture.patientId(nik)
                                + "&_count=1000",
                        null,
                        gw.patientToken(nik));
        assertEquals(200, r.statusCode(), r.body());
        Map<String, Observation> out = new HashMap<>();
        for (Bundle.BundleEntryComponent e :
                parser.parseResource(Bundle.class, r.body()).getEntry()) {
            Observation o = (Observation) e.getResource();
            out.put(o.getIdElement().getIdPart(), o);
        }
        return out;
    }

    private Set<String> searchIds(String nik) throws Exception {
        return search(nik).keySet();
    }

    private Map<String, Observation> parse(List<String> lines) {
        Map<String, Observation> out = new HashMap<>();
        for (String line : lines) {
            assertFalse(line.contains("\n"));
            Observation o = parser.parseResource(Observation.class, line);
            out.put(o.getIdElement().getIdPart(), o);
        }
        assertEquals(lines.size(), out.size(), "no Observation twice");
        return out;
    }

    private String path(String nik, String query) {
        return "/fhir/Patient/" + GatewayFixture.patientId(nik) + "/$export" + query;
    }

    @Test
    void patientExportsTheirOwnDataAsSearchShowsIt() throws Exception {
        String token = gw.patientToken(NIK);
        String status = export.started(path(NIK, ""), token);
        JsonObject manifest = export.manifest(status, token);
        assertTrue(manifest.getBoolean("requiresAccessToken"));
        assertEquals(new JsonArray(), manifest.getJsonArray("error"));
        assertTrue(manifest.getString("request").endsWith(path(NIK, "?_type=Patient,Observation")));
        Instant.parse(manifest.getString("transactionTime"));

        Map<String, Observation> exported = parse(export.linesOf(manifest, "Observation", token));
        Map<String, Observation> searched = search(NIK);
        assertEquals(searched.keySet(), exported.keySet());
        for (Map.Entry<String, Observation> e : searched.entrySet()) {
            Observation fromSearch = e.getValue();
            fromSearch.setIdElement(new IdType(e.getKey()));
            Observation fromExport = exported.get(e.getKey());
            fromExport.setIdElement(new IdType(e.getKey()));
            assertTrue(fromSearch.equalsDeep(fromExport), "Observation " + e.getKey());
        }
        List<String> patients = export.linesOf(manifest, "Patient", token);
        assertEquals(1, patients.size());
        assertEquals(
                GatewayFixture.patientId(NIK), new JsonObject(patients.get(0)).getString("id"));
    }

    @Test
    void hapiClientKicksOffAndPlainHttpPolls() throws Exception {
        String token = gw.patientToken(NIK);
        fhir.getRestfulClientFactory().setServerValidationMode(ServerValidationModeEnum.NEVER);
        IGenericClient client = fhir.newRestfulGenericClient(gw.uri("/fhir").toString());
        client.registerInterceptor(new BearerTokenAuthInterceptor(token));
        MethodOutcome outcome =
                client.operation()
                        .onInstance(new IdType("Patient", GatewayFixture.patientId(NIK)))
                        .named("$export")
                        .withNoParameters(Parameters.class)
                        .useHttpGet()
                        .encodedJson()
                        .withAdditionalHeader("Prefer", "respond-async")
                        .returnMethodOutcome()
                        .execute();
        assertEquals(202, outcome.getResponseStatusCode());
        String location = outcome.getResponseHeaders().get("content-location").get(0);
        JsonObject manifest = export.manifest(ExportClient.path(location), token);
        assertEquals(
                searchIds(NIK), parse(export.linesOf(manifest, "Observation", token)).keySet());
    }

    @Test
    void typeAndSinceNarrowTheExport() throws Exception {
        String token = gw.patientToken(NIK);
        JsonObject onlyPatient =
                export.manifest(export.started(path(NIK, "?_type=Patient"), token), token);
        assertEquals(1, onlyPatient.getJsonArray("output").size());
        assertEquals(
                "Patient", onlyPatient.getJsonArray("output").getJsonObject(0).getString("type"));

        Instant lastUpdated = Instant.EPOCH;
        for (Observation o : search(NIK).values()) {
            Instant t = o.getMeta().getLastUpdated().toInstant();
            lastUpdated = t.isAfter(lastUpdated) ? t : lastUpdated;
        }
        String since =
                "&_since=" + URLEncoder.encode(lastUpdated.toString(), StandardCharsets.UTF_8);
        JsonObject all =
                export.manifest(
                        export.started(path(NIK, "?_type=Observation" + since), token), token);
        assertFalse(
                export.linesOf(all, "Observation", token).isEmpty(), "received at _since counts");
        String after =
                "&_since="
                        + URLEncoder.encode(
                                lastUpdated.plusMillis(1).toString(), StandardCharsets.UTF_8);
        JsonObject none =
                export.manifest(
                        export.started(path(NIK, "?_type=Observation" + after), token), token);
        assertEquals(new JsonArray(), none.getJsonArray("output"), "nothing received since");
    }

    @Test
    void onlyTheSubjectThatStartedAnExportMayPollDownloadOrCancel() throws Exception {
        String token = gw.patientToken(NIK);
        String status = export.started(path(NIK, ""), token);
        JsonObject manifest = export.manifest(status, token);
        String file = manifest.getJsonArray("output").getJsonObject(0).getString("url");
        String other = gw.patientToken(PERSONAL_NIK);
        assertEquals(401, export.download(file, null).statusCode());
        for (String stranger : List.of(other, clinician, gw.adminToken())) {
            assertOutcome(404, export.download(file, stranger));
            assertOutcome(404, export.status(status, stranger));
            assertOutcome(404, gw.delete(status, stranger));
        }
        assertEquals(200, export.download(file, token).statusCode(), "still there for its owner");
        assertEquals(
                200,
                export.download(file, gw.patientToken(NIK)).statusCode(),
                "another token of the same subject");
    }

    @Test
    void cancelDeletesTheExport() throws Exception {
        String token = gw.patientToken(NIK);
        String status = export.started(path(NIK, ""), token);
        JsonObject manifest = export.manifest(status, token);
        String file = manifest.getJsonArray("output").getJsonObject(0).getString("url");
        assertEquals(202, gw.delete(status, token).statusCode());
        assertOutcome(404, export.status(status, token));
        assertOutcome(404, export.download(file, token));
        assertOutcome(404, gw.delete(status, token));

        String running = export.started(path(NIK, ""), token);
        assertEquals(202, gw.delete(running, token).statusCode(), "a running export too");
        assertOutcome(404, export.status(running, token));
    }

    @Test
    void clinicianExportsOnlyTheCategoriesDisclosedToThem() throws Exception {
        JsonObject manifest =
                export.manifest(export.started(path(PERSONAL_NIK, ""), clinician), clinician);
        Map<String, Observation> exported =
                parse(export.linesOf(manifest, "Observation", clinician));
        assertEquals(1, exported.size(), "activity only: the steps");
        Observation steps = exported.values().iterator().next();
        assertEquals("55423-8", steps.getCode().getCodingFirstRep().getCode());

        assertOutcome(403, export.kickOff(path(PRIVATE_NIK, ""), clinician));
        assertOutcome(
                404,
                export.kickOff(path(PRIVATE_NIK, ""), gw.patientToken(NIK)),
                "a patient token on another patient: as if absent");
    }

    @Test
    void groupIsThePatientsDisclosingToTheOrganization() throws Exception {
        String group = "/fhir/Group/" + ORGANIZATION_ID + "/$export";
        JsonObject manifest = export.manifest(export.started(group, clinician), clinician);
        Map<String, Observation> exported =
                parse(export.linesOf(manifest, "Observation", clinician));
        Set<String> subjects = new TreeSet<>();
        for (Observation o : exported.values()) {
            subjects.add(o.getSubject().getReference());
            assertEquals("vital-signs", o.getCategoryFirstRep().getCodingFirstRep().getCode());
        }
        assertEquals(Set.of("Patient/" + GatewayFixture.patientId(ORGANIZATION_NIK)), subjects);
        assertEquals(3, exported.size(), "heart rate, blood pressure, SpO2");
        List<String> patients = export.linesOf(manifest, "Patient", clinician);
        assertEquals(1, patients.size());

        assertOutcome(404, export.kickOff("/fhir/Group/rs-45/$export", clinician));
        assertOutcome(403, export.kickOff(group, gw.patientToken(NIK)));
        assertOutcome(403, export.kickOff(group, gw.adminToken()));
    }

    @Test
    void patientTypeExportIsEveryPatientTheTokenMaySee() throws Exception {
        String token = gw.patientToken(NIK);
        JsonObject own = export.manifest(export.started("/fhir/Patient/$export", token), token);
        assertEquals(searchIds(NIK), parse(export.linesOf(own, "Observation", token)).keySet());

        JsonObject disclosed =
                export.manifest(export.started("/fhir/Patient/$export", clinician), clinician);
        Map<String, Observation> exported =
                parse(export.linesOf(disclosed, "Observation", clinician));
        Map<String, Integer> perPatient = new HashMap<>();
        for (Observation o : exported.values()) {
            perPatient.merge(o.getSubject().getReference(), 1, Integer::sum);
        }
        assertEquals(
                Map.of(
                        "Patient/" + GatewayFixture.patientId(PERSONAL_NIK), 1,
                        "Patient/" + GatewayFixture.patientId(ORGANIZATION_NIK), 3),
                perPatient,
                "activity disclosed to the clinician, vitals to the organization; nobody else");
        assertOutcome(403, export.kickOff("/fhir/Patient/$export", gw.adminToken()));
    }

    @Test
    void oneSubjectKeepsAtMostFiftyExports() throws Exception {
        String token = gw.patientToken(PRIVATE_NIK);
        String kickOff = path(PRIVATE_NIK, "?_type=Patient");
        List<String> kept = new ArrayList<>();
        for (int i = 0; i < 50; i++) {
            String status = export.started(kickOff, token);
            export.manifest(status, token);
            kept.add(status);
        }
        HttpResponse<String> refused = export.kickOff(kickOff, token);
        assertOutcome(429, refused);
        assertTrue(refused.headers().firstValue("Retry-After").isPresent());
        assertEquals(
                202,
                export.kickOff(path(NIK, "?_type=Patient"), gw.patientToken(NIK)).statusCode(),
                "another subject is not held up");
        assertEquals(202, gw.delete(kept.get(0), token).statusCode());
        export.manifest(export.started(kickOff, token), token);
    }

    @Test
    void theKickOffAndEachExportedPatientAreAudited() throws Exception {
        String token = gw.patientToken(NIK);
        int before = operations(token);
        export.manifest(export.started(path(NIK, ""), token), token);
        assertEquals(before + 2, operations(token), "the kick-off and the patient's export");
    }

    /** How many audit events of the fixture patient record an operation. */
    private int operations(String token) throws Exception {
        HttpResponse<String> r =
                gw.get("/fhir/AuditEvent?patient=" + gw.patientId() + "&_count=1000", null, token);
        assertEquals(200, r.statusCode(), r.body());
        int n = 0;
        JsonArray entries = new JsonObject(r.body()).getJsonArray("entry", new JsonArray());
        for (Object e : entries) {
            JsonObject event = ((JsonObject) e).getJsonObject("resource");
            if (event.encode().contains("\"code\":\"operation\"")) {
                n++;
            }
        }
        return n;
    }

    @Test
    void hostileKickOffsAre400WithAnOperationOutcome() throws Exception {
        String token = gw.patientToken(NIK);
        String base = path(NIK, "");
        HttpRequest.Builder noPrefer =
                HttpRequest.newBuilder(gw.uri(base))
                        .header("Accept", "application/fhir+json")
                        .GET();
        assertOutcome(400, gw.send(noPrefer, token));
        HttpRequest.Builder xml =
                HttpRequest.newBuilder(gw.uri(base))
                        .header("Accept", "application/fhir+xml")
                        .header("Prefer", "respond-async")
                        .GET();
        HttpResponse<String> inXml = gw.send(xml, token);
        assertEquals(400, inXml.statusCode());
        assertTrue(inXml.body().contains("<OperationOutcome"), "the error in the format asked for");
        List<String> queries = new ArrayList<>();
        queries.add("?_outputFormat=text/csv");
        queries.add("?_since=yesterday");
        queries.add("?_since=2026-11-22");
        queries.add("?_since=2026-13-45T00:00:00Z");
        queries.add("?_since=2026-11-22T08:00:00Z&_since=2026-11-22T09:00:00Z");
        queries.add("?_type=Condition");
        queries.add("?_type=Observation,,Patient");
        queries.add("?_type=");
        queries.add("?_typeFilter=Observation%3Fcode%3D1");
        queries.add("?_type=" + "Observation,".repeat(90) + "Observation");
        queries.add("?_since=" + "9".repeat(1000));
        queries.add("?patient=../../etc/passwd");
        String group = "/fhir/Group/" + ORGANIZATION_ID + "/$export";
        for (String q : queries) {
            assertOutcome(400, export.kickOff(base + q, token), q);
            assertOutcome(400, export.kickOff(group + q, clinician), "group " + q);
        }
        assertTrue(
                export.started(base + "?_outputFormat=application%2Ffhir%2Bndjson", token) != null);
        assertTrue(export.started(base + "?_outputFormat=ndjson", token) != null);
    }

    @Test
    void hostileJobAndFileIdsAre400Or404() throws Exception {
        String token = gw.patientToken(NIK);
        JsonObject manifest = export.manifest(export.started(path(NIK, ""), token), token);
        String file =
                ExportClient.path(
                        manifest.getJsonArray("output").getJsonObject(0).getString("url"));
        String job = file.substring(0, file.lastIndexOf('/'));
        String status = job.replace("$export-file", "$export-status");
        for (String p :
                List.of(
                        "/fhir/$export-status/..%2F..%2Fkeys",
                        "/fhir/$export-status/" + "a".repeat(2000),
                        "/fhir/$export-status/%00",
                        status + "x",
                        job + "/..%2F..%2Fkeys%2Fkek.key",
                        job + "/Observation-1.ndjson%00.txt",
                        job + "/..%2FObservation-1.ndjson",
                        "/fhir/$export-file/..%2F..%2Fkeys/Observation-1.ndjson")) {
            HttpResponse<String> r = gw.get(p, null, token);
            assertTrue(r.statusCode() == 400 || r.statusCode() == 404, p + " " + r.statusCode());
            assertEquals("OperationOutcome", new JsonObject(r.body()).getString("resourceType"), p);
        }
        assertOutcome(404, gw.get(job + "/Condition-1.ndjson", null, token));
        assertEquals(200, gw.get(file, null, token).statusCode(), "the real one still serves");
    }

    private static void assertOutcome(int status, HttpResponse<String> r) {
        assertOutcome(status, r, "");
    }

    private static void assertOutcome(int status, HttpResponse<String> r, String what) {
        assertEquals(status, r.statusCode(), what + " " + r.body());
        assertEquals("OperationOutcome", new JsonObject(r.body()).getString("resourceType"), what);
    }
}
