package org.jkn.telemetry.gateway.fhir;

import static org.jkn.telemetry.gateway.GatewayFixture.json;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ca.uhn.fhir.context.FhirContext;
import ca.uhn.fhir.parser.IParser;
import ca.uhn.fhir.rest.client.api.IGenericClient;
import ca.uhn.fhir.rest.client.api.ServerValidationModeEnum;
import ca.uhn.fhir.rest.client.interceptor.BearerTokenAuthInterceptor;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.net.URLEncoder;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.List;
import org.hl7.fhir.r4.model.Bundle;
import org.hl7.fhir.r4.model.Observation;
import org.jkn.telemetry.gateway.Consents;
import org.jkn.telemetry.gateway.GatewayFixture;
import org.jkn.telemetry.normalizer.catalog.DataCategory;
import org.jkn.telemetry.testing.Poll;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

/**
 * The search parameters a clinician and an app use beyond patient, code and date: the source
 * identifier, category, value-quantity, every date prefix, {@code _summary}, {@code _elements} and
 * {@code _total}; through real HTTP and HAPI's client, with consent applied and hostile values
 * refused.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class ObservationSearchParametersTest {

    static final String NIK = "3171020101900161";
    private static final String DEVICE = "watch:1.a_b-c";
    private static final Instant BASE =
            Instant.now().minus(2, ChronoUnit.DAYS).truncatedTo(ChronoUnit.HOURS);

    GatewayFixture gw;
    String patient;

    @BeforeAll
    void start() throws Exception {
        gw = GatewayFixture.shared(NIK);
        patient = GatewayFixture.patientId(NIK);
        List<String> readings = new ArrayList<>();
        // SpO2 85..99 one a minute, heart rate 60..74, and one steps period
        for (int i = 0; i < 15; i++) {
            readings.add(reading("spo2-" + i, "oxygen_saturation", 85 + i, i));
            readings.add(reading("hr-" + i, "heart_rate", 60 + i, i));
        }
        readings.add(
                "{\"id\":\"steps-1\",\"type\":\"steps\",\"value\":1200,\"start\":\""
                        + at(0)
                        + "\",\"end\":\""
                        + at(30)
                        + "\"}");
        String batch =
                "{\"patient\":\""
                        + NIK
                        + "\",\"device\":{\"id\":\""
                        + DEVICE
                        + "\"},\"readings\":["
                        + String.join(",", readings)
                        + "]}";
        HttpResponse<String> r = gw.postBatch(batch);
        assertEquals(202, r.statusCode(), r.body());
        Poll.until("stored", () -> gw.gateway().journal().pendingReadings() == 0);
    }

    @AfterAll
    void stop() {
        gw.close();
    }

    @Test
    void theSourceIdentifierFindsTheReadingAnAppSent() throws Exception {
        String system = SourceIdentifiers.system(DEVICE);
        JsonObject page = search("identifier=" + enc(system + "|spo2-3"));
        assertEquals(1, page.getInteger("total"));
        JsonObject o = entries(page).getJsonObject(0).getJsonObject("resource");
        assertEquals(88, o.getJsonObject("valueQuantity").getInteger("value"));
        JsonObject identifier = o.getJsonArray("identifier").getJsonObject(0);
        assertEquals(system, identifier.getString("system"));
        assertEquals("spo2-3", identifier.getString("value"));
        assertEquals(0, search("identifier=" + enc(system + "|spo2-99")).getInteger("total"));
        String otherDevice = SourceIdentifiers.system("another");
        assertEquals(0, search("identifier=" + enc(otherDevice + "|spo2-3")).getInteger("total"));
    }

    @Test
    void valueQuantityFindsOxygenSaturationBelowNinety() throws Exception {
        JsonObject page = search("code=59408-5&value-quantity=lt90&_count=100");
        assertEquals(5, page.getInteger("total")); // 85..89
        for (Object e : entries(page)) {
            double v =
                    ((JsonObject) e)
                            .getJsonObject("resource")
                            .getJsonObject("valueQuantity")
                            .getDouble("value");
            assertTrue(v < 90, "value " + v);
        }
        assertEquals(
                5,
                search(
                                "value-quantity="
                                        + enc("lt90|http://unitsofmeasure.org|%")
                                        + "&code=59408-5")
                        .getInteger("total"));
        assertEquals(
                0,
                search("value-quantity=" + enc("lt90||/min") + "&code=59408-5").getInteger("total"),
                "another unit matches nothing");
        assertEquals(1, search("value-quantity=90&code=59408-5").getInteger("total"));
        assertEquals(14, search("value-quantity=ne90&code=59408-5").getInteger("total"));
        assertEquals(
                3,
                search("value-quantity=ge97&value-quantity=le99&code=59408-5").getInteger("total"));
    }

    @Test
    void categoryNarrowsToItsTypes() throws Exception {
        JsonObject vitals = search("category=vital-signs&_count=100");
        assertEquals(30, vitals.getInteger("total"));
        JsonObject activity =
                search(
                        "category="
                                + enc(
                                        "http://terminology.hl7.org/CodeSystem/observation-category|activity"));
        assertEquals(1, activity.getInteger("total"));
        assertEquals(0, search("category=laboratory").getInteger("total"));
        assertEquals(0, search("category=activity&code=59408-5").getInteger("total"));
    }

    @Test
    void everyDatePrefixComparesRangesAsFhirSays() throws Exception {
        String minute5 = enc(at(5));
        assertEquals(2, search("date=eq" + minute5).getInteger("total")); // spo2 and hr at :05
        assertEquals(29, search("date=ne" + minute5 + "&_count=100").getInteger("total"));
        // starts after :05: minutes 6..14 of two types
        assertEquals(18, search("date=sa" + minute5 + "&_count=100").getInteger("total"));
        // ends before :05: minutes 0..4; the steps period ends at :30
        assertEquals(10, search("date=eb" + minute5 + "&_count=100").getInteger("total"));
        // approximately two days ago: everything, within a tenth of the distance from now
        assertEquals(
                31,
                search("date=ap" + BASE.atOffset(ZoneOffset.UTC).toLocalDate() + "&_count=100")
                        .getInteger("total"));
        assertEquals(
                0,
                search(
                                "date=ap"
                                        + BASE.minus(60, ChronoUnit.DAYS)
                                                .atOffset(ZoneOffset.UTC)
                                                .toLocalDate())
                        .getInteger("total"));
    }

    @Test
    void summaryCountAndTotalAccurateCountEveryMatchWithoutReadingThePage() throws Exception {
        JsonObject count = search("_summary=count");
        assertEquals(31, count.getInteger("total"));
        assertNull(count.getJsonArray("entry"));
        JsonObject accurate = search("_count=5&_total=accurate");
        assertEquals(31, accurate.getInteger("total"));
        assertEquals(5, entries(accurate).size());
        assertTrue(links(accurate).contains("next"));
        String next = link(accurate, "next");
        assertTrue(next.contains("_total=accurate"), next);
        JsonObject none = search("_total=none");
        assertNull(none.getInteger("total"));
        JsonObject byDefault = search("_count=5");
        assertNull(byDefault.getInteger("total"), "unknown until a page holds every match");
    }

    @Test
    void elementsAndSummaryWriteOnlyWhatIsAskedAndSaySo() throws Exception {
        JsonObject page = search("code=59408-5&_elements=value&_count=3");
        JsonObject o = entries(page).getJsonObject(0).getJsonObject("resource");
        assertTrue(o.containsKey("valueQuantity") && o.containsKey("code"));
        assertFalse(
                o.containsKey("device")
                        || o.containsKey("subject")
                        || o.containsKey("effectiveDateTime"));
        assertEquals(
                "SUBSETTED",
                o.getJsonObject("meta").getJsonArray("tag").getJsonObject(0).getString("code"));
        assertTrue(link(page, "next").contains("_elements=value"));
        JsonObject summary =
                entries(search("code=59408-5&_summary=true&_count=1"))
                        .getJsonObject(0)
                        .getJsonObject("resource");
        assertTrue(summary.containsKey("effectiveDateTime") && !summary.containsKey("device"));
        String xml =
                gw.get(
                                "/fhir/Observation?patient="
                                        + patient
                                        + "&code=59408-5&_elements=value&_count=1&_format=xml")
                        .body();
        assertTrue(xml.contains("SUBSETTED") && !xml.contains("<device>"), xml);
    }

    @Test
    void hapisClientPagesToTheEndSearchesByIdentifierAndReads() {
        IGenericClient client = client(gw.defaultToken());
        Bundle first =
                client.search()
                        .forResource(Observation.class)
                        .where(Observation.PATIENT.hasId(patient))
                        .count(7)
                        .returnBundle(Bundle.class)
                        .execute();
        int seen = first.getEntry().size();
        Bundle page = first;
        while (page.getLink(Bundle.LINK_NEXT) != null) {
            page = client.loadPage().next(page).execute();
            seen += page.getEntry().size();
        }
        assertEquals(31, seen);
        Bundle found =
                client.search()
                        .forResource(Observation.class)
                        .where(Observation.PATIENT.hasId(patient))
                        .and(
                                Observation.IDENTIFIER
                                        .exactly()
                                        .systemAndIdentifier(
                                                SourceIdentifiers.system(DEVICE), "hr-7"))
                        .returnBundle(Bundle.class)
                        .execute();
        assertEquals(1, found.getEntry().size());
        Observation o = (Observation) found.getEntryFirstRep().getResource();
        assertEquals(67, o.getValueQuantity().getValue().intValue());
        Observation read =
                client.read()
                        .resource(Observation.class)
                        .withId(o.getIdElement().getIdPart())
                        .execute();
        IParser parser = FhirContext.forR4Cached().newJsonParser();
        // the client qualifies each id with the URL it came from: compare the resources as sent
        o.setIdElement(o.getIdElement().toUnqualifiedVersionless());
        read.setIdElement(read.getIdElement().toUnqualifiedVersionless());
        assertEquals(
                parser.encodeResourceToString(o),
                parser.encodeResourceToString(read),
                "read by id gives what search gave");
    }

    @Test
    void aClinicianSeesOnlyDisclosedCategoriesInCountsAndFilters() throws Exception {
        HttpResponse<String> consent =
                gw.postConsent(
                        Consents.consent(
                                patient,
                                Consents.disclose("Organization/rs-45", DataCategory.ACTIVITY)),
                        gw.adminToken());
        assertEquals(201, consent.statusCode(), consent.body());
        String clinician = gw.clinicianToken();
        Poll.until(
                "the consent applies",
                () -> json(clinicianSearch("_summary=count", clinician)).getInteger("total") == 1);
        assertEquals(
                0,
                json(clinicianSearch("value-quantity=lt90&code=59408-5", clinician))
                        .getInteger("total"));
        assertEquals(
                0,
                json(clinicianSearch("category=vital-signs&_total=accurate", clinician))
                        .getInteger("total"));
    }

    @Test
    void hostileValuesAreRefusedWithAnOperationOutcome() throws Exception {
        String system = SourceIdentifiers.system(DEVICE);
        for (String query :
                new String[] {
                    "identifier=spo2-3",
                    "identifier=" + enc("urn:telemetry:device:%zz:reading|x"),
                    "identifier=" + enc(system + "|"),
                    "identifier=" + enc(system + "|" + "x".repeat(300)),
                    "identifier=a&identifier=b",
                    "value-quantity=abc",
                    "value-quantity=lt",
                    "value-quantity=xx90",
                    "value-quantity=1e400",
                    "value-quantity=" + "9".repeat(40),
                    "value-quantity=" + enc("90|http://snomed.info/sct|x"),
                    "value-quantity=" + enc("lt90||%") + "&value-quantity=" + enc("gt80||/min"),
                    "value-quantity=1&value-quantity=2&value-quantity=3&value-quantity=4&value-quantity=5",
                    "value-quantity=" + enc("90'; drop table reading_blocks; --"),
                    "category=",
                    "date=xx2026-01-01",
                    "date=ap",
                    "_summary=maybe",
                    "_summary=count&_summary=true",
                    "_summary=true&_elements=value",
                    "_elements=value,nonsense",
                    "_elements=" + enc("<script>"),
                    "_total=exact",
                }) {
            HttpResponse<String> r = gw.get("/fhir/Observation?patient=" + patient + "&" + query);
            assertEquals(400, r.statusCode(), query + " -> " + r.body());
            JsonObject outcome = json(r);
            assertEquals("OperationOutcome", outcome.getString("resourceType"), query);
            assertFalse(r.body().contains("Exception"), r.body());
        }
        // and the server goes on answering
        assertEquals(31, search("_summary=count").getInteger("total"));
    }

    private HttpResponse<String> clinicianSearch(String query, String token) throws Exception {
        return gw.get(
                "/fhir/Observation?patient=" + patient + "&" + query,
                "application/fhir+json",
                token);
    }

    private JsonObject search(String query) throws Exception {
        HttpResponse<String> r = gw.get("/fhir/Observation?patient=" + patient + "&" + query);
        assertEquals(200, r.statusCode(), query + " -> " + r.body());
        return json(r);
    }

    private IGenericClient client(String token) {
        FhirContext fhir = FhirContext.forR4Cached();
        fhir.getRestfulClientFactory().setServerValidationMode(ServerValidationModeEnum.NEVER);
        IGenericClient client = fhir.newRestfulGenericClient(gw.uri("/fhir").toString());
        client.registerInterceptor(new BearerTokenAuthInterceptor(token));
        return client;
    }

    private static JsonArray entries(JsonObject page) {
        JsonArray e = page.getJsonArray("entry");
        return e == null ? new JsonArray() : e;
    }

    private static List<String> links(JsonObject page) {
        List<String> out = new ArrayList<>();
        for (Object l : page.getJsonArray("link")) {
            out.add(((JsonObject) l).getString("relation"));
        }
        return out;
    }

    private static String link(JsonObject page, String relation) {
        for (Object l : page.getJsonArray("link")) {
            if (((JsonObject) l).getString("relation").equals(relation)) {
                return ((JsonObject) l).getString("url");
            }
        }
        throw new AssertionError("no " + relation + " link");
    }

    private static String reading(String id, String type, int value, int minute) {
        return "{\"id\":\""
                + id
                + "\",\"type\":\""
                + type
                + "\",\"value\":"
                + value
                + ",\"time\":\""
                + at(minute)
                + "\"}";
    }

    private static String at(int minute) {
        return DateTimeFormatter.ISO_OFFSET_DATE_TIME.format(
                BASE.plus(minute, ChronoUnit.MINUTES).atOffset(ZoneOffset.ofHours(7)));
    }

    private static String enc(String s) {
        return URLEncoder.encode(s, StandardCharsets.UTF_8);
    }
}
