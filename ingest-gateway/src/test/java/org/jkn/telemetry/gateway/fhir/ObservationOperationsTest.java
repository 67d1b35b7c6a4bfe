package org.jkn.telemetry.gateway.fhir;

import static org.jkn.telemetry.gateway.Consents.consent;
import static org.jkn.telemetry.gateway.Consents.disclose;
import static org.jkn.telemetry.gateway.GatewayFixture.json;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ca.uhn.fhir.context.FhirContext;
import ca.uhn.fhir.rest.client.api.IGenericClient;
import ca.uhn.fhir.rest.client.api.ServerValidationModeEnum;
import ca.uhn.fhir.rest.client.interceptor.BearerTokenAuthInterceptor;
import io.vertx.core.json.JsonObject;
import java.math.BigDecimal;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.hl7.fhir.r4.model.Bundle;
import org.hl7.fhir.r4.model.Coding;
import org.hl7.fhir.r4.model.DateTimeType;
import org.hl7.fhir.r4.model.IntegerType;
import org.hl7.fhir.r4.model.Observation;
import org.hl7.fhir.r4.model.Parameters;
import org.hl7.fhir.r4.model.Period;
import org.hl7.fhir.r4.model.Quantity;
import org.hl7.fhir.r4.model.StringType;
import org.jkn.telemetry.gateway.GatewayFixture;
import org.jkn.telemetry.gateway.auth.dev.DevTokens;
import org.jkn.telemetry.normalizer.catalog.DataCategory;
import org.jkn.telemetry.testing.Poll;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

/**
 * {@code Observation/$lastn} and {@code $stats} through HAPI's generic client against the running
 * gateway and database, checked against readings of known values sent over HTTP.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class ObservationOperationsTest {

    static final String NIK = "3171020101901201";
    static final String OTHER_NIK = "3171020101901202";
    static final String PATIENT_ID = GatewayFixture.patientId(NIK);
    static final String PRACTITIONER = "Practitioner/dr-sari";
    static final FhirContext FHIR = FhirContext.forR4();

    /** Heart rate on 2026-11-20 (UTC) by hour: four in hour 0, three in hour 1, one in hour 3. */
    static final double[][] HEART_RATE_BY_HOUR = {{60, 70, 80, 90}, {100, 50, 75}, {}, {65}};

    static final String DAY = "2026-11-20T";

    GatewayFixture gw;
    IGenericClient client;

    @BeforeAll
    void start() throws Exception {
        gw = GatewayFixture.shared(NIK);
        gw.consentToCollectingEverything(OTHER_NIK);
        StringBuilder readings = new StringBuilder();
        for (int hour = 0; hour < HEART_RATE_BY_HOUR.length; hour++) {
            for (int i = 0; i < HEART_RATE_BY_HOUR[hour].length; i++) {
                reading(readings, "hr-" + hour + "-" + i, "heart_rate", time(hour, i * 15))
                        .append(",\"value\":")
                        .append((int) HEART_RATE_BY_HOUR[hour][i])
                        .append("},");
            }
        }
        int[][] pressures = {{120, 80}, {130, 85}, {110, 70}};
        for (int i = 0; i < pressures.length; i++) {
            reading(readings, "bp-" + i, "blood_pressure", time(5 + i, 0))
                    .append(",\"systolic\":")
                    .append(pressures[i][0])
                    .append(",\"diastolic\":")
                    .append(pressures[i][1])
                    .append("},");
        }
        for (int i = 0; i < 4; i++) {
            reading(readings, "spo2-" + i, "oxygen_saturation", time(9, i))
                    .append(",\"value\":")
                    .append(94 + i)
                    .append(",\"unit\":\"%\"},");
        }
        // resting heart rate carries both 40443-4 and 8867-4; the day before, out of the stats
        reading(readings, "rhr-0", "resting_heart_rate", "2026-11-19T06:00:00+00:00")
                .append(",\"value\":55},");
        reading(readings, "rhr-1", "resting_heart_rate", "2026-11-19T07:00:00+00:00")
                .append(",\"value\":54},");
        reading(readings, "weight", "weight", time(10, 0)).append(",\"value\":70},");
        reading(readings, "flow", "menstruation_flow", time(10, 0)).append(",\"flow\":\"light\"}");
        String batch =
                "{\"patient\":\""
                        + NIK
                        + "\",\"device\":{\"id\":\"band-9\"},\"readings\":["
                        + readings
                        + "]}";
        assertEquals(19, json(gw.postBatch(batch)).getInteger("accepted"));
        Poll.until("all stored", () -> gw.observationCount() == 19);
        client = client(gw.defaultToken());
    }

    @AfterAll
    void stop() {
        gw.close();
    }

    private static StringBuilder reading(StringBuilder s, String id, String type, String time) {
        return s.append("{\"id\":\"")
                .append(id)
                .append("\",\"type\":\"")
                .append(type)
                .append("\",\"time\":\"")
                .append(time)
                .append('"');
    }

    private static String time(int hour, int minute) {
        return String.format("%s%02d:%02d:00+00:00", DAY, hour, minute);
    }

    private IGenericClient client(String token) {
        FHIR.getRestfulClientFactory().setServerValidationMode(ServerValidationModeEnum.NEVER);
        IGenericClient c = FHIR.newRestfulGenericClient(gw.uri("/fhir").toString());
        c.registerInterceptor(new BearerTokenAuthInterceptor(token));
        return c;
    }

    private Bundle lastn(Parameters in, boolean get) {
        var op =
                client.operation()
                        .onType(Observation.class)
                        .named("$lastn")
                        .withParameters(in)
                        .returnResourceType(Bundle.class);
        return get ? op.useHttpGet().execute() : op.execute();
    }

    private static Parameters params(String... namesAndValues) {
        Parameters p = new Parameters();
        for (int i = 0; i < namesAndValues.length; i += 2) {
            p.addParameter()
                    .setName(namesAndValues[i])
                    .setValue(new StringType(namesAndValues[i + 1]));
        }
        return p;
    }

    /** Per primary code, the values of the Observations in the Bundle, in its order. */
    private static Map<String, List<String>> byCode(Bundle b) {
        Map<String, List<String>> out = new TreeMap<>();
        for (Bundle.BundleEntryComponent e : b.getEntry()) {
            Observation o = (Observation) e.getResource();
            String value =
                    o.hasValueQuantity()
                            ? o.getValueQuantity().getValue().toPlainString()
                            : o.getComponentFirstRep()
                                    .getValueQuantity()
                                    .getValue()
                                    .toPlainString();
            out.computeIfAbsent(o.getCode().getCodingFirstRep().getCode(), k -> new ArrayList<>())
                    .add(value);
        }
        return out;
    }

    @Test
    void lastnGivesTheNewestOfEachVitalOnceWhateverItsCodings() {
        Bundle b = lastn(params("patient", PATIENT_ID, "category", "vital-signs"), true);
        assertEquals(Bundle.BundleType.SEARCHSET, b.getType());
        assertEquals(
                Map.of(
                        "8867-4", List.of("65"),
                        "85354-9", List.of("110"),
                        "2708-6", List.of("97"),
                        "40443-4", List.of("54"),
                        "29463-7", List.of("70")),
                byCode(b),
                "SpO2 and resting heart rate carry two codings each, and still form one group");
        assertEquals(5, b.getTotal());
    }

    @Test
    void lastnWithMax3TakesThreePerTypeNewestFirstByGetAndByPost() {
        Parameters in =
                params("patient", "Patient/" + PATIENT_ID, "category", "vital-signs", "max", "3");
        Map<String, List<String>> expected =
                Map.of(
                        "8867-4", List.of("65", "75", "50"),
                        "85354-9", List.of("110", "130", "120"),
                        "2708-6", List.of("97", "96", "95"),
                        "40443-4", List.of("54", "55"),
                        "29463-7", List.of("70"));
        assertEquals(expected, byCode(lastn(in, true)));
        assertEquals(expected, byCode(lastn(in, false)), "POST with a Parameters body");
    }

    @Test
    void lastnByACodeFindsEveryTypeCarryingIt() {
        Bundle b = lastn(params("patient", PATIENT_ID, "code", "http://loinc.org|8867-4"), true);
        assertEquals(
                Map.of("8867-4", List.of("65"), "40443-4", List.of("54")),
                byCode(b),
                "resting heart rate carries 8867-4 as a second coding");
        Bundle pulseOximetry =
                lastn(params("patient", PATIENT_ID, "code", "59408-5", "max", "2"), true);
        assertEquals(Map.of("2708-6", List.of("97", "96")), byCode(pulseOximetry));
        assertEquals(0, lastn(params("patient", PATIENT_ID, "code", "1234-5"), true).getTotal());
    }

    @Test
    void lastnEntriesAreTheObservationsReadById() throws Exception {
        Bundle b = lastn(params("patient", PATIENT_ID, "code", "85354-9"), true);
        String id = b.getEntryFirstRep().getResource().getIdElement().getIdPart();
        HttpResponse<String> read = gw.get("/fhir/Observation/" + id);
        assertEquals(200, read.statusCode());
        assertEquals(
                "110",
                json(read)
                        .getJsonArray("component")
                        .getJsonObject(0)
                        .getJsonObject("valueQuantity")
                        .getValue("value")
                        .toString());
    }

    private Parameters stats(Parameters in, boolean get) {
        var op =
                client.operation()
                        .onType(Observation.class)
                        .named("$stats")
                        .withParameters(in)
                        .returnResourceType(Parameters.class);
        return get ? op.useHttpGet().execute() : op.execute();
    }

    private static List<Observation> statistics(Parameters out) {
        List<Observation> list = new ArrayList<>();
        for (Parameters.ParametersParameterComponent p : out.getParameter()) {
            assertEquals("statistics", p.getName());
            list.add((Observation) p.getResource());
        }
        return list;
    }

    private static BigDecimal component(Observation o, String statistic) {
        for (Observation.ObservationComponentComponent c : o.getComponent()) {
            Coding code = c.getCode().getCodingFirstRep();
            if (code.getCode().equals(statistic)) {
                assertEquals(
                        "http://terminology.hl7.org/CodeSystem/observation-statistics",
                        code.getSystem());
                return c.getValue() instanceof IntegerType i
                        ? BigDecimal.valueOf(i.getValue())
                        : ((Quantity) c.getValue()).getValue();
            }
        }
        throw new AssertionError("no " + statistic + " component");
    }

    private static Quantity quantity(Observation o, String statistic) {
        for (Observation.ObservationComponentComponent c : o.getComponent()) {
            if (c.getCode().getCodingFirstRep().getCode().equals(statistic)) {
                return (Quantity) c.getValue();
            }
        }
        throw new AssertionError("no " + statistic + " component");
    }

    private static void assertClose(double expected, BigDecimal actual, String what) {
        assertEquals(expected, actual.doubleValue(), 1e-9, what);
    }

    private static final String ALL_STATISTICS =
            "count,minimum,maximum,average,sum,median,std-dev,variance,20-percent,80-percent,4-lower,4-upper";

    @Test
    void statsOverAPeriodAreExactForKnownHeartRates() {
        Parameters in = params("subject", "Patient/" + PATIENT_ID);
        in.addParameter()
                .setName("coding")
                .setValue(new Coding("http://loinc.org", "8867-4", null));
        in.addParameter()
                .setName("period")
                .setValue(
                        new Period()
                                .setStartElement(new DateTimeType(DAY + "00:00:00Z"))
                                .setEndElement(new DateTimeType(DAY + "04:00:00Z")));
        for (String s : ALL_STATISTICS.split(",")) {
            in.addParameter().setName("statistic").setValue(new StringType(s));
        }
        List<Observation> out = statistics(stats(in, false));
        assertEquals(1, out.size());
        Observation o = out.get(0);
        assertEquals(Observation.ObservationStatus.FINAL, o.getStatus());
        assertEquals("8867-4", o.getCode().getCodingFirstRep().getCode());
        assertEquals("Patient/" + PATIENT_ID, o.getSubject().getReference());
        double[] all = {60, 70, 80, 90, 100, 50, 75, 65};
        checkAgainstNaive(o, all);
        // by hand: sorted 50 60 65 70 75 80 90 100
        assertClose(72.5, component(o, "median"), "median: mean of the middle two");
        assertClose(62, component(o, "20-percent"), "rank 1.4: 60 + 0.4 * 5");
        assertClose(86, component(o, "80-percent"), "rank 5.6: 80 + 0.6 * 10");
        Quantity average = quantity(o, "average");
        assertEquals("/min", average.getCode());
        assertEquals("http://unitsofmeasure.org", average.getSystem());
    }

    /** Count, extremes, sum, mean, population variance and R-7 percentiles, computed naively. */
    private static void checkAgainstNaive(Observation o, double[] values) {
        double[] sorted = values.clone();
        Arrays.sort(sorted);
        double sum = 0;
        for (double v : values) {
            sum += v;
        }
        double mean = sum / values.length;
        double squares = 0;
        for (double v : values) {
            squares += (v - mean) * (v - mean);
        }
        assertClose(values.length, component(o, "count"), "count");
        assertClose(sorted[0], component(o, "minimum"), "minimum");
        assertClose(sorted[sorted.length - 1], component(o, "maximum"), "maximum");
        assertClose(sum, component(o, "sum"), "sum");
        assertClose(mean, component(o, "average"), "average");
        assertClose(squares / values.length, component(o, "variance"), "variance");
        assertClose(Math.sqrt(squares / values.length), component(o, "std-dev"), "std-dev");
        assertClose(percentile(sorted, 0.5), component(o, "median"), "median");
        assertClose(percentile(sorted, 0.25), component(o, "4-lower"), "lower quartile");
        assertClose(percentile(sorted, 0.75), component(o, "4-upper"), "upper quartile");
    }

    private static double percentile(double[] sorted, double p) {
        double rank = (sorted.length - 1) * p;
        int low = (int) rank;
        double high = low + 1 < sorted.length ? sorted[low + 1] : sorted[low];
        return sorted[low] + (rank - low) * (high - sorted[low]);
    }

    @Test
    void statsWithAnIntervalGiveOneResultPerNonEmptyHour() {
        Parameters in =
                params(
                        "subject",
                        PATIENT_ID,
                        "code",
                        "8867-4",
                        "system",
                        "http://loinc.org",
                        "period",
                        DAY + "00:00:00Z/" + DAY + "04:00:00Z",
                        "statistic",
                        ALL_STATISTICS,
                        "interval",
                        "PT1H");
        List<Observation> out = statistics(stats(in, true));
        assertEquals(3, out.size(), "hour 2 has no reading and is left out");
        int[] hours = {0, 1, 3};
        for (int k = 0; k < out.size(); k++) {
            Observation o = out.get(k);
            Period period = o.getEffectivePeriod();
            assertEquals(
                    Instant.parse(String.format("%s%02d:00:00Z", DAY, hours[k])),
                    period.getStart().toInstant());
            assertEquals(
                    Instant.parse(String.format("%s%02d:00:00Z", DAY, hours[k] + 1)),
                    period.getEnd().toInstant());
            checkAgainstNaive(o, HEART_RATE_BY_HOUR[hours[k]]);
        }
    }

    @Test
    void bloodPressureGivesStatisticsPerComponent() {
        List<Observation> out =
                statistics(
                        stats(
                                params(
                                        "subject", PATIENT_ID,
                                        "code", "85354-9",
                                        "period", "2026-11-20/2026-11-20",
                                        "statistic", "count,average,median,minimum,maximum"),
                                true));
        assertEquals(2, out.size());
        assertEquals("8480-6", out.get(0).getCode().getCodingFirstRep().getCode());
        assertEquals("8462-4", out.get(1).getCode().getCodingFirstRep().getCode());
        checkSome(out.get(0), new double[] {120, 130, 110});
        checkSome(out.get(1), new double[] {80, 85, 70});
        assertEquals("mm[Hg]", quantity(out.get(0), "average").getCode());
        List<Observation> diastolic =
                statistics(
                        stats(
                                params(
                                        "subject",
                                        PATIENT_ID,
                                        "code",
                                        "8462-4",
                                        "duration",
                                        "876000".substring(0, 4),
                                        "statistic",
                                        "count"),
                                true));
        assertEquals(1, diastolic.size());
    }

    private static void checkSome(Observation o, double[] values) {
        double[] sorted = values.clone();
        Arrays.sort(sorted);
        assertClose(values.length, component(o, "count"), "count");
        assertClose(Arrays.stream(values).average().orElseThrow(), component(o, "average"), "avg");
        assertClose(percentile(sorted, 0.5), component(o, "median"), "median");
        assertClose(sorted[0], component(o, "minimum"), "minimum");
        assertClose(sorted[sorted.length - 1], component(o, "maximum"), "maximum");
    }

    @Test
    void aCodeWithoutReadingsInThePeriodCountsZero() {
        List<Observation> out =
                statistics(
                        stats(
                                params(
                                        "subject", PATIENT_ID,
                                        "code", "8867-4",
                                        "duration", "1",
                                        "statistic", "count,average"),
                                true));
        assertEquals(1, out.size());
        assertClose(0, component(out.get(0), "count"), "nothing in the last hour");
        assertEquals(1, out.get(0).getComponent().size(), "no average of nothing");
    }

    @Test
    void statsJsonWrittenDirectlyIsTheResourceHapiBuildsForXml() throws Exception {
        String all = ALL_STATISTICS + ",total-count,4-dev,5-1,5-2,5-3,5-4";
        String[] queries = {
            "&code=8867-4&period=" + DAY + "00:00:00Z/" + DAY + "04:00:00Z&interval=PT1H",
            "&code=8867-4&period=" + DAY + "00:00:00.250Z/" + DAY + "03:30:00Z&interval=PT20M",
            "&code=85354-9&period=2026-11-19/2026-11-20",
            "&code=8867-4&code=29463-7&coding=http://loinc.org|2708-6&period=2026-11-20/2026-11-20",
            "&coding=http://snomed.info/sct|8867-4&period=2026-11-19/2026-11-21",
        };
        for (String q : queries) {
            String path =
                    "/fhir/Observation/$stats?subject="
                            + PATIENT_ID
                            + q.replace("+", "%2B").replace("|", "%7C")
                            + "&statistic="
                            + all;
            HttpResponse<String> json = gw.get(path + "&_format=json");
            HttpResponse<String> xml = gw.get(path + "&_format=xml");
            assertEquals(200, json.statusCode(), json.body());
            assertEquals(200, xml.statusCode(), xml.body());
            assertTrue(
                    json.headers()
                            .firstValue("Content-Type")
                            .orElse("")
                            .startsWith("application/fhir+json"));
            Parameters fromJson = FHIR.newJsonParser().parseResource(Parameters.class, json.body());
            Parameters fromXml = FHIR.newXmlParser().parseResource(Parameters.class, xml.body());
            // the same text, not only the same values: dates and decimals as HAPI writes them
            assertEquals(
                    FHIR.newJsonParser().encodeResourceToString(fromXml),
                    FHIR.newJsonParser().encodeResourceToString(fromJson),
                    q);
            assertTrue(
                    fromJson.equalsDeep(fromXml),
                    q
                            + "\n"
                            + json.body()
                            + "\n"
                            + FHIR.newJsonParser().encodeResourceToString(fromXml));
        }
    }

    // ---- consent and IDOR

    private HttpResponse<String> get(String token, String pathAndQuery) throws Exception {
        return gw.get(pathAndQuery, null, token);
    }

    private static final String LASTN = "/fhir/Observation/$lastn?patient=" + PATIENT_ID;
    private static final String STATS =
            "/fhir/Observation/$stats?subject="
                    + PATIENT_ID
                    + "&period=2026-11-19/2026-11-21&statistic=count";

    @Test
    void aClinicianSeesOnlyWhatConsentDisclosesLikeInSearch() throws Exception {
        String clinician =
                gw.tokens()
                        .clinician(
                                PRACTITIONER,
                                null,
                                DevTokens.CLINICIAN_SCOPES,
                                DevTokens.DEFAULT_TTL);
        String search = "/fhir/Observation?patient=" + PATIENT_ID;
        assertEquals(403, get(clinician, search).statusCode(), "search without a permit");
        assertForbidden(get(clinician, LASTN + "&category=vital-signs"));
        assertForbidden(get(clinician, STATS + "&code=8867-4"));

        HttpResponse<String> r =
                gw.postConsent(consent(PATIENT_ID, disclose(PRACTITIONER, DataCategory.VITALS)));
        assertEquals(201, r.statusCode(), r.body());
        String consentId = json(r).getString("id");
        try {
            Bundle vitals =
                    client(clinician)
                            .operation()
                            .onType(Observation.class)
                            .named("$lastn")
                            .withParameters(
                                    params("patient", PATIENT_ID, "category", "vital-signs"))
                            .useHttpGet()
                            .returnResourceType(Bundle.class)
                            .execute();
            assertEquals(
                    List.of("2708-6", "40443-4", "85354-9", "8867-4"),
                    new ArrayList<>(byCode(vitals).keySet()),
                    "weight is a vital sign in FHIR but of the body category, not disclosed");
            JsonObject weight = json(get(clinician, LASTN + "&code=29463-7"));
            assertEquals(0, weight.getInteger("total"));
            JsonObject weightStats = json(get(clinician, STATS + "&code=29463-7"));
            assertEquals(
                    0,
                    weightStats
                            .getJsonArray("parameter")
                            .getJsonObject(0)
                            .getJsonObject("resource")
                            .getJsonArray("component")
                            .getJsonObject(0)
                            .getInteger("valueInteger"),
                    "undisclosed readings count as none");
            JsonObject heartStats = json(get(clinician, STATS + "&code=8867-4"));
            assertEquals(
                    10,
                    heartStats
                            .getJsonArray("parameter")
                            .getJsonObject(0)
                            .getJsonObject("resource")
                            .getJsonArray("component")
                            .getJsonObject(0)
                            .getInteger("valueInteger"),
                    "8 heart rates and 2 resting heart rates carry 8867-4");
        } finally {
            assertEquals(
                    204, gw.delete("/fhir/Consent/" + consentId, gw.adminToken()).statusCode());
        }
    }

    @Test
    void aPatientGetsOnlyTheirOwnLikeInSearch() throws Exception {
        String other = gw.patientToken(OTHER_NIK);
        int searchStatus = get(other, "/fhir/Observation?patient=" + PATIENT_ID).statusCode();
        assertEquals(403, searchStatus);
        assertForbidden(get(other, LASTN + "&category=vital-signs"));
        assertForbidden(get(other, STATS + "&code=8867-4"));
        assertForbidden(
                get(
                        other,
                        "/fhir/Observation/$lastn?subject=Patient/" + PATIENT_ID + "&code=8867-4"));
        HttpResponse<String> own =
                get(
                        other,
                        "/fhir/Observation/$lastn?patient="
                                + GatewayFixture.patientId(OTHER_NIK)
                                + "&category=vital-signs");
        assertEquals(200, own.statusCode());
        assertEquals(0, json(own).getInteger("total"), "the other patient has sent nothing");
        assertEquals(403, get(gw.adminToken(), LASTN + "&category=vital-signs").statusCode());
    }

    private static void assertForbidden(HttpResponse<String> r) {
        assertEquals(403, r.statusCode(), r.body());
        assertEquals("OperationOutcome", json(r).getString("resourceType"));
    }

    // ---- hostile parameters

    @Test
    void hostileParametersGet400WithAnOperationOutcome() throws Exception {
        String lastn = "/fhir/Observation/$lastn?patient=" + PATIENT_ID;
        String stats = "/fhir/Observation/$stats?subject=" + PATIENT_ID;
        String ok = "&code=8867-4&statistic=count";
        String[] bad = {
            lastn + "&category=vital-signs&max=0",
            lastn + "&category=vital-signs&max=-1",
            lastn + "&category=vital-signs&max=abc",
            lastn + "&category=vital-signs&max=1001",
            lastn + "&category=vital-signs&max=99999999999999999999",
            lastn + "&category=vital-signs&max=1&max=2",
            lastn,
            lastn + "&code=",
            lastn + "&category=%7C",
            lastn + "&category=vital-signs&date=ge2026-11-20",
            "/fhir/Observation/$lastn?category=vital-signs",
            "/fhir/Observation/$lastn?patient=%27%3B%20drop%20table%20readings%3B--&code=8867-4",
            lastn + "&patient=" + PATIENT_ID + "&code=8867-4",
            stats + ok,
            stats + ok + "&duration=abc",
            stats + ok + "&duration=-1",
            stats + ok + "&duration=0",
            stats + ok + "&duration=1e9",
            stats + ok + "&duration=1e2147483648",
            stats + ok + "&duration=1&period=2026-11-01/2026-11-02",
            stats + ok + "&period=2026-11-02/2026-11-01",
            stats + ok + "&period=2026-11-01T10:00:00Z/2026-11-01T09:00:00Z",
            stats + ok + "&period=yesterday/today",
            stats + ok + "&period=2026-11-01",
            stats + ok + "&period=2020-01-01/2026-01-01",
            stats + ok + "&duration=24&interval=PT1S",
            stats + ok + "&duration=24&interval=PT59S",
            stats + ok + "&duration=24&interval=P1M",
            stats + ok + "&duration=24&interval=1h",
            stats + ok + "&duration=8760&interval=PT1H",
            stats + ok + "&duration=24&interval=PT1H&interval=PT2H",
            stats + "&code=8867-4&duration=24&statistic=bogus",
            stats + "&code=8867-4&duration=24&statistic=skew",
            stats + "&code=8867-4&duration=24",
            stats + "&duration=24&statistic=count",
            stats + "&coding=8867-4&duration=24&statistic=count",
            stats + ok + "&duration=24&include=true",
            stats + ok + "&duration=24&system=a&system=b",
            stats + ok + "&duration=24&patient=" + PATIENT_ID,
            "/fhir/Observation/$stats?code=8867-4&statistic=count&duration=24",
            "/fhir/Observation/$stats?subject=Patient/..%2F..%2Fetc&code=8867-4&statistic=count&duration=24",
            stats + "&code=8867-4%27%20or%20%271%27%3D%271&duration=24&statistic=count%3Cscript%3E",
            stats + ok + "&duration=24&interval=" + "P".repeat(300),
        };
        String clinician =
                gw.tokens()
                        .clinician(
                                PRACTITIONER,
                                null,
                                DevTokens.CLINICIAN_SCOPES,
                                DevTokens.DEFAULT_TTL);
        for (String q : bad) {
            // a clinician's request is checked before consent; a patient's only once it names
            // the patient alone (else it is refused as search refuses it: 403)
            assertBadRequest(q, gw.get(q, null, clinician));
            if (q.split(PATIENT_ID, -1).length == 2) {
                assertBadRequest(q, gw.get(q));
            }
        }
        for (String body :
                new String[] {
                    "not json",
                    "{\"resourceType\":\"Observation\",\"status\":\"final\"}",
                    "{\"resourceType\":\"Parameters\",\"parameter\":[{\"name\":\"patient\",\"resource\":{\"resourceType\":\"Patient\"}}]}",
                    "{\"resourceType\":\"Parameters\",\"parameter\":[{\"name\":\"patient\",\"valueString\":\""
                            + PATIENT_ID
                            + "\"},{\"name\":\"category\",\"valueString\":\"vital-signs\"},{\"name\":\"max\",\"valueInteger\":0}]}",
                    "[]",
                    ""
                }) {
            for (String op : new String[] {"$lastn", "$stats"}) {
                HttpResponse<String> r =
                        gw.post(
                                "/fhir/Observation/" + op,
                                "application/fhir+json",
                                body.getBytes(StandardCharsets.UTF_8),
                                clinician);
                assertEquals(400, r.statusCode(), op + " " + body + " -> " + r.body());
                assertEquals("OperationOutcome", json(r).getString("resourceType"));
            }
        }
        // nothing broken: the same operations still answer
        assertEquals(200, gw.get(lastn + "&category=vital-signs").statusCode());
        assertEquals(200, gw.get(stats + ok + "&duration=24").statusCode());
    }

    private static void assertBadRequest(String q, HttpResponse<String> r) {
        assertEquals(400, r.statusCode(), q + " -> " + r.body());
        JsonObject oo = json(r);
        assertEquals("OperationOutcome", oo.getString("resourceType"), q);
        String diagnostics = oo.getJsonArray("issue").getJsonObject(0).getString("diagnostics", "");
        assertTrue(!diagnostics.contains("Exception") && !diagnostics.contains("\tat "), q);
        assertTrue(!diagnostics.contains("<script>") && !diagnostics.contains("drop table"), q);
    }

    @Test
    void theCapabilityStatementListsBothOperations() throws Exception {
        JsonObject obs =
                json(gw.get("/fhir/metadata"))
                        .getJsonArray("rest")
                        .getJsonObject(0)
                        .getJsonArray("resource")
                        .getJsonObject(0);
        Map<String, String> operations = new TreeMap<>();
        obs.getJsonArray("operation")
                .forEach(
                        o ->
                                operations.put(
                                        ((JsonObject) o).getString("name"),
                                        ((JsonObject) o).getString("definition")));
        assertEquals(
                Map.of(
                        "lastn", "http://hl7.org/fhir/OperationDefinition/Observation-lastn",
                        "stats", "http://hl7.org/fhir/OperationDefinition/Observation-stats"),
                operations);
    }

    @Test
    void operationsAndTheirRefusalsAreAudited() throws Exception {
        assertEquals(200, gw.get(LASTN + "&code=8867-4").statusCode());
        JsonObject served = latestAuditEvent();
        assertEquals(
                "operation", served.getJsonArray("subtype").getJsonObject(0).getString("code"));
        assertEquals("E", served.getString("action"));
        assertEquals("0", served.getString("outcome"));
        assertEquals(
                "Observation/$lastn?types=heart_rate,resting_heart_rate&max=1",
                served.getJsonArray("entity").getJsonObject(1).getString("description"));

        java.time.Instant before = Instant.now().minusSeconds(1);
        assertForbidden(get(gw.patientToken(OTHER_NIK), STATS + "&code=8867-4"));
        // recorded after the answer: found among the latest (reading the trail is recorded too)
        Poll.until(
                "the refusal recorded",
                () -> {
                    HttpResponse<String> r =
                            gw.get("/fhir/AuditEvent?patient=" + PATIENT_ID + "&_count=20");
                    for (Object e : json(r).getJsonArray("entry")) {
                        JsonObject ae = ((JsonObject) e).getJsonObject("resource");
                        if ("4".equals(ae.getString("outcome"))
                                && "operation"
                                        .equals(
                                                ae.getJsonArray("subtype")
                                                        .getJsonObject(0)
                                                        .getString("code"))
                                && !Instant.parse(ae.getString("recorded")).isBefore(before)) {
                            return true;
                        }
                    }
                    return false;
                });
    }

    private JsonObject latestAuditEvent() throws Exception {
        HttpResponse<String> r = gw.get("/fhir/AuditEvent?patient=" + PATIENT_ID + "&_count=1");
        assertEquals(200, r.statusCode(), r.body());
        return json(r).getJsonArray("entry").getJsonObject(0).getJsonObject("resource");
    }
}
