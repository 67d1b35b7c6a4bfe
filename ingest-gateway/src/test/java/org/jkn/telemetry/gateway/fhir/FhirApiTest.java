package org.jkn.telemetry.gateway.fhir;

import static org.jkn.telemetry.gateway.GatewayFixture.json;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.net.URLEncoder;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import org.jkn.telemetry.gateway.GatewayFixture;
import org.jkn.telemetry.testing.Poll;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class FhirApiTest {

    /** This class's own patient on the shared gateway: its searches find only its own data. */
    static final String NIK = "3171020101900001";

    static final String PATIENT_ID = GatewayFixture.patientId(NIK);
    static final String EXAMPLE = GatewayFixture.example(NIK);
    static final String OTHER_NIK = "3171020101900002";
    GatewayFixture gw;

    @BeforeAll
    void start() throws Exception {
        gw = GatewayFixture.shared(NIK);
        gw.consentToCollectingEverything(OTHER_NIK);
        assertEquals(202, gw.postBatch(EXAMPLE).statusCode());
        // a second patient whose data must never show up in the first one's searches
        assertEquals(
                202,
                gw.post(
                                "/v1/readings",
                                "application/json",
                                EXAMPLE.replace(NIK, OTHER_NIK).getBytes(StandardCharsets.UTF_8),
                                gw.patientToken(OTHER_NIK))
                        .statusCode());
        Poll.until("example stored", () -> gw.observationCount() == 4);
    }

    @AfterAll
    void stop() {
        gw.close();
    }

    private static String enc(String s) {
        return URLEncoder.encode(s, StandardCharsets.UTF_8);
    }

    private List<String> ids(String query) throws Exception {
        HttpResponse<String> r = gw.get("/fhir/Observation?patient=" + PATIENT_ID + query);
        assertEquals(200, r.statusCode(), r.body());
        JsonArray entries = json(r).getJsonArray("entry");
        List<String> out = new ArrayList<>();
        if (entries != null) {
            for (int i = 0; i < entries.size(); i++) {
                JsonObject res = entries.getJsonObject(i).getJsonObject("resource");
                out.add(
                        res.getJsonObject("code")
                                .getJsonArray("coding")
                                .getJsonObject(0)
                                .getString("code"));
            }
        }
        return out;
    }

    @Test
    void searchReturnsASearchsetBundleAsFhirJson() throws Exception {
        HttpResponse<String> r = gw.get("/fhir/Observation?patient=Patient/" + PATIENT_ID);
        assertEquals(200, r.statusCode());
        assertTrue(
                r.headers()
                        .firstValue("Content-Type")
                        .orElse("")
                        .startsWith("application/fhir+json"));
        JsonObject b = json(r);
        assertEquals("Bundle", b.getString("resourceType"));
        assertEquals("searchset", b.getString("type"));
        assertEquals(4, b.getJsonArray("entry").size());
        for (Object e : b.getJsonArray("entry")) {
            JsonObject res = ((JsonObject) e).getJsonObject("resource");
            assertEquals(
                    "Patient/" + PATIENT_ID, res.getJsonObject("subject").getString("reference"));
        }
    }

    @Test
    void codeAndDateNarrowTheSearch() throws Exception {
        assertEquals(
                List.of("8867-4"),
                ids(
                        "&code="
                                + enc("http://loinc.org|8867-4")
                                + "&date=ge2026-11-22&date=lt2026-11-23"));
        assertEquals(
                List.of("2708-6"),
                ids("&code=59408-5"),
                "the pulse-oximetry coding finds SpO2 too");
        assertEquals(2, ids("&code=8867-4,85354-9").size());
        assertEquals(List.of(), ids("&code=" + enc("http://snomed.info/sct|8867-4")));
        assertEquals(List.of(), ids("&code=1234-5"));
        assertEquals(
                List.of(),
                ids("&date=lt2026-11-22T01:00:00Z"),
                "nothing starts before 08:00+07:00");
        // 08:05+07:00 readings: blood pressure and SpO2; the 08:00-09:00 steps period overlaps too
        List<String> after = ids("&date=" + enc("ge2026-11-22T08:05:00+07:00"));
        assertEquals(3, after.size(), after.toString());
        assertTrue(after.contains("55423-8"));
        assertEquals(List.of("55423-8"), ids("&date=" + enc("gt2026-11-22T08:30:00+07:00")));
        assertEquals(2, ids("&date=" + enc("eq2026-11-22T08:05+07:00")).size());
        assertEquals(4, ids("&date=2026-11").size());
        assertEquals(4, ids("&date=le2026-11-22").size());
    }

    @Test
    void pagingFollowsNextLinks() throws Exception {
        JsonObject page =
                json(gw.get("/fhir/Observation?patient=" + PATIENT_ID + "&_count=3&_sort=date"));
        assertEquals(3, page.getJsonArray("entry").size());
        String next = null;
        for (Object l : page.getJsonArray("link")) {
            if ("next".equals(((JsonObject) l).getString("relation"))) {
                next = ((JsonObject) l).getString("url");
            }
        }
        assertTrue(next != null && next.contains("_offset=3"), String.valueOf(next));
        JsonObject second = json(gw.get(next.substring(next.indexOf("/fhir/"))));
        assertEquals(1, second.getJsonArray("entry").size());
        assertEquals("2708-6".equals(code(second, 0)) || "85354-9".equals(code(second, 0)), true);
        assertEquals(
                null,
                second.getInteger("total"),
                "a later page does not claim a total it did not count");
        JsonObject all = json(gw.get("/fhir/Observation?patient=" + PATIENT_ID));
        assertEquals(4, all.getInteger("total"), "one page holding every match gives the total");
        JsonObject none = json(gw.get("/fhir/Observation?patient=" + PATIENT_ID + "&_count=0"));
        assertEquals(null, none.getJsonArray("entry"));
        assertEquals(
                null,
                none.getInteger("total"),
                "_count=0 reads nothing, so it claims no total (not a wrong 0)");
    }

    private static String code(JsonObject bundle, int i) {
        return bundle.getJsonArray("entry")
                .getJsonObject(i)
                .getJsonObject("resource")
                .getJsonObject("code")
                .getJsonArray("coding")
                .getJsonObject(0)
                .getString("code");
    }

    @Test
    void readByIdMatchesTheSearchEntry() throws Exception {
        JsonObject entry = gw.observations("&code=85354-9").getJsonArray("entry").getJsonObject(0);
        JsonObject fromSearch = entry.getJsonObject("resource");
        HttpResponse<String> r = gw.get("/fhir/Observation/" + fromSearch.getString("id"));
        assertEquals(200, r.statusCode());
        JsonObject read = json(r);
        assertEquals(fromSearch, read);
        JsonArray components = read.getJsonArray("component");
        assertEquals(
                "8480-6",
                components
                        .getJsonObject(0)
                        .getJsonObject("code")
                        .getJsonArray("coding")
                        .getJsonObject(0)
                        .getString("code"));
        assertEquals(
                121,
                components.getJsonObject(0).getJsonObject("valueQuantity").getInteger("value"));
        assertEquals(
                79, components.getJsonObject(1).getJsonObject("valueQuantity").getInteger("value"));
        assertEquals(
                "2026-11-22T08:05:00+07:00",
                read.getString("effectiveDateTime"),
                "kept in the offset it was sent with");
        assertNull(read.getValue("valueQuantity"), "the bp panel has components, no value");
    }

    @Test
    void unknownOrMalformedIdsAre404() throws Exception {
        for (String id :
                new String[] {
                    "nope",
                    "hodtns64g0-000000000000000000000000",
                    "1' or '1'='1",
                    "%00",
                    "x".repeat(200)
                }) {
            HttpResponse<String> r = gw.get("/fhir/Observation/" + enc(id));
            assertEquals(404, r.statusCode(), id);
            assertEquals("OperationOutcome", json(r).getString("resourceType"));
        }
    }

    /**
     * As a clinician, whose searches are not pinned to one patient by the token: the parameters
     * alone decide.
     */
    @Test
    void hostileSearchParametersAreRefusedOrHarmless() throws Exception {
        String clinician = gw.clinicianToken();
        String[] refused = {
            "/fhir/Observation",
            "/fhir/Observation?code=8867-4",
            "/fhir/Observation?patient=" + enc("x' or '1'='1"),
            "/fhir/Observation?patient=" + PATIENT_ID + "&patient=" + PATIENT_ID,
            "/fhir/Observation?patient="
                    + PATIENT_ID
                    + "&date="
                    + enc("ge2026-11-22'; drop table readings; --"),
            "/fhir/Observation?patient=" + PATIENT_ID + "&date=zz2026-11-22",
            "/fhir/Observation?patient=" + PATIENT_ID + "&date=2026-13-01",
            "/fhir/Observation?patient=" + PATIENT_ID + "&date=ge" + "9".repeat(500),
            "/fhir/Observation?patient=" + PATIENT_ID + "&_count=-1",
            "/fhir/Observation?patient=" + PATIENT_ID + "&_count=99999999999",
            "/fhir/Observation?patient=" + PATIENT_ID + "&_count=abc",
            "/fhir/Observation?patient=" + PATIENT_ID + "&_sort=" + enc("date; select 1"),
            "/fhir/Observation?patient=" + PATIENT_ID + "&_offset=" + enc("0 union select *"),
            "/fhir/Observation?patient=" + PATIENT_ID + "&component-value-quantity=gt100",
            "/fhir/Observation?patient=" + PATIENT_ID + "&code=",
            "/fhir/Observation?patient=" + PATIENT_ID + "&date=1&date=2&date=3&date=4&date=5",
        };
        for (String q : refused) {
            HttpResponse<String> r = gw.get(q, null, clinician);
            assertEquals(400, r.statusCode(), q + " -> " + r.body());
            JsonObject oo = json(r);
            assertEquals("OperationOutcome", oo.getString("resourceType"));
            assertFalse(
                    oo.getJsonArray("issue").getJsonObject(0).getString("diagnostics").isBlank());
        }
        // shaped like injection but valid tokens: they match nothing and change nothing
        assertEquals(List.of(), ids("&code=" + enc("8867-4' or '1'='1")));
        assertEquals(
                403,
                gw.get("/fhir/Observation?patient=" + enc("Patient/abc.def-1"), null, clinician)
                        .statusCode(),
                "a valid id, but no consent of that patient discloses anything to this clinician");
        assertEquals(4, gw.observationCount(), "the readings table is intact");
    }

    @Test
    void patientIsFoundByNikAndOnlyByItsPseudonym() throws Exception {
        HttpResponse<String> r =
                gw.get(
                        "/fhir/Patient?identifier="
                                + enc("https://fhir.kemkes.go.id/id/nik|" + NIK));
        assertEquals(200, r.statusCode());
        JsonObject b = json(r);
        assertEquals(1, b.getInteger("total"));
        JsonObject patient = b.getJsonArray("entry").getJsonObject(0).getJsonObject("resource");
        assertEquals(PATIENT_ID, patient.getString("id"));
        assertFalse(r.body().contains(NIK), "the NIK is not echoed or stored");
        assertEquals(200, gw.get("/fhir/Patient/" + PATIENT_ID).statusCode());

        assertEquals(
                0,
                json(gw.get(
                                "/fhir/Patient?identifier="
                                        + enc("https://fhir.kemkes.go.id/id/nik|3171011508850009"),
                                null,
                                gw.clinicianToken()))
                        .getInteger("total"));
        assertEquals(
                0,
                json(gw.get("/fhir/Patient?identifier=" + enc("http://example.org/other|" + NIK)))
                        .getInteger("total"));
        assertEquals(
                400,
                gw.get(
                                "/fhir/Patient?identifier="
                                        + enc("https://fhir.kemkes.go.id/id/nik|12' or 1=1"))
                        .statusCode());
        assertEquals(400, gw.get("/fhir/Patient").statusCode());
        assertEquals(400, gw.get("/fhir/Patient?name=Budi").statusCode());
        assertEquals(
                404, gw.get("/fhir/Patient/0000000000000000000000000000000000000000").statusCode());
    }

    @Test
    void metadataListsExactlyWhatIsSupported() throws Exception {
        JsonObject cs = json(gw.get("/fhir/metadata"));
        assertEquals("CapabilityStatement", cs.getString("resourceType"));
        assertEquals("4.0.1", cs.getString("fhirVersion"));
        JsonArray resources = cs.getJsonArray("rest").getJsonObject(0).getJsonArray("resource");
        List<String> types = new ArrayList<>();
        resources.forEach(r -> types.add(((JsonObject) r).getString("type")));
        assertEquals(List.of("Observation", "Patient", "Consent", "AuditEvent", "Group"), types);
        JsonObject obs = resources.getJsonObject(0);
        assertEquals("Observation", obs.getString("type"));
        List<String> params = new ArrayList<>();
        obs.getJsonArray("searchParam")
                .forEach(p -> params.add(((JsonObject) p).getString("name")));
        assertEquals(
                List.of(
                        "patient",
                        "subject",
                        "code",
                        "date",
                        "category",
                        "identifier",
                        "value-quantity",
                        "_summary",
                        "_elements",
                        "_total",
                        "_count",
                        "_offset",
                        "_sort"),
                params);
        // exactly the parameters the search accepts (_format is a format, not a search)
        Set<String> accepted = new TreeSet<>(SearchParams.KNOWN);
        accepted.remove("_format");
        assertEquals(accepted, new TreeSet<>(params));
    }

    @Test
    void xmlIsServedOnRequestAndUnknownFormatsGet406() throws Exception {
        HttpResponse<String> xml =
                gw.get(
                        "/fhir/Observation?patient=" + PATIENT_ID + "&_count=1",
                        "application/fhir+xml");
        assertEquals(200, xml.statusCode());
        assertTrue(xml.body().startsWith("<Bundle xmlns=\"http://hl7.org/fhir\">"), xml.body());
        assertEquals(200, gw.get("/fhir/metadata?_format=xml").statusCode());
        assertEquals(406, gw.get("/fhir/metadata", "image/png").statusCode());
        assertEquals(404, gw.get("/fhir/Encounter").statusCode());
    }
}
