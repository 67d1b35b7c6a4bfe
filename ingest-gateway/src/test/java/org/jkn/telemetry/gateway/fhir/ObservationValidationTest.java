package org.jkn.telemetry.gateway.fhir;

import static org.jkn.telemetry.gateway.GatewayFixture.json;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ca.uhn.fhir.context.FhirContext;
import ca.uhn.fhir.context.support.DefaultProfileValidationSupport;
import ca.uhn.fhir.validation.FhirValidator;
import ca.uhn.fhir.validation.ResultSeverityEnum;
import ca.uhn.fhir.validation.SingleValidationMessage;
import ca.uhn.fhir.validation.ValidationOptions;
import ca.uhn.fhir.validation.ValidationResult;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.net.http.HttpResponse;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;
import org.hl7.fhir.common.hapi.validation.support.CommonCodeSystemsTerminologyService;
import org.hl7.fhir.common.hapi.validation.support.InMemoryTerminologyServerValidationSupport;
import org.hl7.fhir.common.hapi.validation.support.SnapshotGeneratingValidationSupport;
import org.hl7.fhir.common.hapi.validation.support.ValidationSupportChain;
import org.hl7.fhir.common.hapi.validation.validator.FhirInstanceValidator;
import org.jkn.telemetry.gateway.GatewayFixture;
import org.jkn.telemetry.normalizer.catalog.Category;
import org.jkn.telemetry.normalizer.catalog.ReadingType;
import org.jkn.telemetry.store.query.ObservationIds;
import org.jkn.telemetry.testing.Poll;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

/**
 * A generated corpus (every type, every accepted unit, both range edges, every attribute choice,
 * dense series, sleep stages) goes in through HTTP and comes back through the FHIR API with the
 * right code, unit, category, value and time; every served Observation passes the HAPI FHIR
 * instance validator against R4 and, for vital signs, the vital-signs profile of its code (checked
 * explicitly: R4 requires conformance for those codes). Zero errors allowed.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class ObservationValidationTest {

    private static final String DEVICE = "corpus-1";

    /** This class's own patient on the shared gateway: its searches find only its own data. */
    static final String NIK = "3171020101900151";

    static final String PATIENT_ID = GatewayFixture.patientId(NIK);
    static final String EXAMPLE = GatewayFixture.example(NIK);
    GatewayFixture gw;
    FhirContext fhir = FhirContext.forR4Cached();
    FhirValidator validator;
    List<Corpus.Item> corpus;
    Map<String, JsonObject> served = new HashMap<>();

    @BeforeAll
    void start() throws Exception {
        gw = GatewayFixture.shared(NIK);
        ValidationSupportChain chain =
                new ValidationSupportChain(
                        new DefaultProfileValidationSupport(fhir),
                        new SnapshotGeneratingValidationSupport(fhir),
                        new InMemoryTerminologyServerValidationSupport(fhir),
                        new CommonCodeSystemsTerminologyService(fhir));
        validator = fhir.newValidator().registerValidatorModule(new FhirInstanceValidator(chain));

        corpus = new Corpus(Instant.now()).generate();
        StringBuilder readings = new StringBuilder();
        int posted = 0;
        for (Corpus.Item item : corpus) {
            if (item.json() != null) {
                readings.append(posted++ == 0 ? "" : ",").append(item.json());
            }
        }
        String batch =
                "{\"patient\":\""
                        + NIK
                        + "\",\"device\":{\"id\":\""
                        + DEVICE
                        + "\",\"manufacturer\":\"Acme\"},"
                        + "\"readings\":["
                        + readings
                        + "]}";
        HttpResponse<String> r = gw.postBatch(batch);
        assertEquals(202, r.statusCode(), r.body());
        assertEquals(
                0,
                json(r).getJsonArray("rejected").size(),
                () -> json(r).getJsonArray("rejected").encodePrettily());
        assertEquals(corpus.size(), json(r).getInteger("accepted"));
        Poll.until("corpus stored", () -> gw.gateway().journal().pendingReadings() == 0);
        for (int offset = 0; ; offset += 1000) {
            JsonObject page =
                    json(
                            gw.get(
                                    "/fhir/Observation?patient="
                                            + PATIENT_ID
                                            + "&_count=1000&_offset="
                                            + offset));
            JsonArray entries = page.getJsonArray("entry");
            if (entries == null) {
                break;
            }
            for (int i = 0; i < entries.size(); i++) {
                JsonObject res = entries.getJsonObject(i).getJsonObject("resource");
                served.put(res.getString("id"), res);
            }
            if (entries.size() < 1000) {
                break;
            }
        }
    }

    @AfterAll
    void stop() {
        gw.close();
    }

    @Test
    void everyTypeComesBackWithItsCodeUnitCategoryValueAndTime() {
        assertEquals(corpus.size(), served.size());
        Set<ReadingType> seen = EnumSet.noneOf(ReadingType.class);
        List<String> wrong = new ArrayList<>();
        for (Corpus.Item item : corpus) {
            long start = item.start().toEpochSecond() * 1_000_000L;
            String id =
                    ObservationIds.id(
                            start,
                            gw.rowKey(DEVICE, item.id()),
                            item.type(),
                            ObservationIds.patientTag(PATIENT_ID));
            JsonObject o = served.get(id);
            if (o == null) {
                wrong.add(item.id() + " " + item.type() + ": not served");
                continue;
            }
            seen.add(item.type());
            String code =
                    o.getJsonObject("code")
                            .getJsonArray("coding")
                            .getJsonObject(0)
                            .getString("code");
            String category =
                    o.getJsonArray("category")
                            .getJsonObject(0)
                            .getJsonArray("coding")
                            .getJsonObject(0)
                            .getString("code");
            if (!item.code().equals(code) || !item.type().category().code().equals(category)) {
                wrong.add(
                        item.id() + " " + item.type() + ": code " + code + " category " + category);
            }
            if (item.ucum() != null) {
                JsonObject q =
                        item.type() == ReadingType.BLOOD_PRESSURE
                                ? o.getJsonArray("component")
                                        .getJsonObject(0)
                                        .getJsonObject("valueQuantity") // systolic
                                : o.getJsonObject("valueQuantity");
                if (q == null
                        || !item.ucum().equals(q.getString("code"))
                        || Math.abs(q.getDouble("value") - item.value())
                                > 1e-6 * Math.max(1, Math.abs(item.value()))) {
                    wrong.add(
                            item.id()
                                    + " "
                                    + item.type()
                                    + ": value "
                                    + q
                                    + " expected "
                                    + item.value()
                                    + " "
                                    + item.ucum());
                }
            }
            if (item.type().shape().isPeriod()) {
                JsonObject p = o.getJsonObject("effectivePeriod");
                if (p == null
                        || !OffsetDateTime.parse(p.getString("start")).equals(item.start())
                        || !OffsetDateTime.parse(p.getString("end")).equals(item.end())) {
                    wrong.add(
                            item.id()
                                    + " "
                                    + item.type()
                                    + ": period "
                                    + p
                                    + " expected "
                                    + item.start()
                                    + " - "
                                    + item.end());
                }
            } else if (!item.start()
                    .equals(OffsetDateTime.parse(o.getString("effectiveDateTime")))) {
                wrong.add(
                        item.id()
                                + " "
                                + item.type()
                                + ": time "
                                + o.getString("effectiveDateTime")
                                + " expected "
                                + item.start());
            }
        }
        assertEquals(
                List.of(),
                wrong.stream().limit(20).collect(Collectors.toList()),
                wrong.size() + " wrong");
        assertEquals(EnumSet.allOf(ReadingType.class), seen);
    }

    @Test
    void everyServedObservationIsValidR4AndMeetsItsVitalSignsProfile() {
        List<String> problems = new ArrayList<>();
        for (JsonObject o : served.values()) {
            String text = o.encode();
            problems.addAll(errors(text, null));
            JsonArray profiles = o.getJsonObject("meta").getJsonArray("profile");
            if (profiles != null) {
                for (Object profile : profiles) {
                    problems.addAll(errors(text, (String) profile));
                }
            }
            String category =
                    o.getJsonArray("category")
                            .getJsonObject(0)
                            .getJsonArray("coding")
                            .getJsonObject(0)
                            .getString("code");
            if (Category.VITAL_SIGNS.code().equals(category)) {
                assertNotNull(profiles, "a vital sign declares its profile: " + text);
                problems.addAll(errors(text, "http://hl7.org/fhir/StructureDefinition/vitalsigns"));
            }
        }
        assertEquals(
                List.of(), problems.stream().distinct().limit(30).collect(Collectors.toList()));
    }

    @Test
    void cycleDataCarriesTheSensitivityLabel() {
        long labelled =
                served.values().stream()
                        .filter(o -> o.getJsonObject("meta").getJsonArray("security") != null)
                        .peek(
                                o ->
                                        assertEquals(
                                                "social-history",
                                                o.getJsonArray("category")
                                                        .getJsonObject(0)
                                                        .getJsonArray("coding")
                                                        .getJsonObject(0)
                                                        .getString("code")))
                        .count();
        long cycle = corpus.stream().filter(i -> i.type().isSensitive()).count();
        assertEquals(cycle, labelled);
        assertTrue(cycle > 0);
    }

    @Test
    void searchBundleCapabilityStatementAndPatientAreValidR4() throws Exception {
        assertEquals(
                List.of(),
                errors(
                        gw.get("/fhir/Observation?patient=" + PATIENT_ID + "&_count=50").body(),
                        null));
        assertEquals(List.of(), errors(gw.get("/fhir/metadata").body(), null));
        assertEquals(List.of(), errors(gw.get("/fhir/Patient/" + PATIENT_ID).body(), null));
    }

    @Test
    void validatorCatchesABrokenVitalSign() throws Exception {
        // guards the guard: the same check must fail on an Observation that breaks the heartrate
        // profile
        assertEquals(202, gw.postBatch(EXAMPLE.replace("watch-7f3a", "guard")).statusCode());
        Poll.until("example stored", () -> gw.gateway().journal().pendingReadings() == 0);
        JsonObject hr =
                gw.observations("&code=8867-4")
                        .getJsonArray("entry")
                        .getJsonObject(0)
                        .getJsonObject("resource");
        assertTrue(errors(hr.encode(), ReadingType.HEART_RATE.profile()).isEmpty());
        hr.getJsonObject("valueQuantity").put("code", "/s");
        hr.remove("subject");
        assertFalse(errors(hr.encode(), ReadingType.HEART_RATE.profile()).isEmpty());
    }

    private List<String> errors(String json, String profile) {
        ValidationOptions options = new ValidationOptions();
        if (profile != null) {
            options.addProfile(profile);
        }
        ValidationResult result = validator.validateWithResult(json, options);
        return result.getMessages().stream()
                .filter(
                        m ->
                                m.getSeverity() == ResultSeverityEnum.ERROR
                                        || m.getSeverity() == ResultSeverityEnum.FATAL)
                .map(ObservationValidationTest::describe)
                .collect(Collectors.toList());
    }

    private static String describe(SingleValidationMessage m) {
        return m.getLocationString() + ": " + m.getMessage();
    }
}
