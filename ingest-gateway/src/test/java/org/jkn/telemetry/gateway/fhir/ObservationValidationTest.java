package org.jkn.telemetry.gateway.fhir;

import static org.jkn.telemetry.gateway.GatewayFixture.EXAMPLE;
import static org.jkn.telemetry.gateway.GatewayFixture.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
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
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.List;
import java.util.Set;
import java.util.stream.Collectors;
import org.hl7.fhir.common.hapi.validation.support.CommonCodeSystemsTerminologyService;
import org.hl7.fhir.common.hapi.validation.support.InMemoryTerminologyServerValidationSupport;
import org.hl7.fhir.common.hapi.validation.support.SnapshotGeneratingValidationSupport;
import org.hl7.fhir.common.hapi.validation.support.ValidationSupportChain;
import org.hl7.fhir.common.hapi.validation.validator.FhirInstanceValidator;
import org.jkn.telemetry.gateway.GatewayFixture;
import org.jkn.telemetry.normalizer.catalog.ReadingType;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.io.TempDir;

/**
 * Validates what the FHIR API serves with the HAPI FHIR instance validator against base R4 and,
 * for vital signs, the R4 vital-signs profile of the code (checked explicitly, not only when the
 * resource declares it, because R4 requires conformance for those codes). Zero errors allowed.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class ObservationValidationTest {

    @TempDir
    static Path dataDir;
    GatewayFixture gw;
    FhirContext fhir = FhirContext.forR4Cached();
    FhirValidator validator;

    @BeforeAll
    void start() throws Exception {
        gw = GatewayFixture.start(dataDir);
        ValidationSupportChain chain = new ValidationSupportChain(
                new DefaultProfileValidationSupport(fhir),
                new SnapshotGeneratingValidationSupport(fhir),
                new InMemoryTerminologyServerValidationSupport(fhir),
                new CommonCodeSystemsTerminologyService(fhir));
        FhirInstanceValidator module = new FhirInstanceValidator(chain);
        validator = fhir.newValidator().registerValidatorModule(module);
        assertEquals(202, gw.postBatch(EXAMPLE).statusCode());
        String more = """
                {"patient": "3171011508850001", "device": {"id": "cuff-2"}, "readings": [
                  {"id": "b1", "type": "blood_pressure", "time": "2026-11-22T20:05:30.250+07:00", "systolic": 16.1, "diastolic": 10.5, "unit": "kPa"},
                  {"id": "b2", "type": "heart_rate", "time": "2026-11-22T01:00:00Z", "value": 58.5, "unit": "bpm"},
                  {"id": "b3", "type": "steps", "start": "2026-11-22T00:00:00+09:00", "end": "2026-11-22T00:00:00+09:00", "value": 0},
                  {"id": "b4", "type": "oxygen_saturation", "time": "2026-11-22T08:05:00-03:30", "value": 100}
                ]}""";
        assertEquals(202, gw.postBatch(more).statusCode());
        await("eight observations", () -> gw.observationCount() == 8);
    }

    @AfterAll
    void stop() {
        gw.close();
    }

    @Test
    void everyServedObservationIsValidR4AndMeetsItsVitalSignsProfile() throws Exception {
        JsonArray entries = gw.observations("").getJsonArray("entry");
        assertEquals(8, entries.size());
        Set<ReadingType> seen = EnumSet.noneOf(ReadingType.class);
        List<String> problems = new ArrayList<>();
        for (int i = 0; i < entries.size(); i++) {
            JsonObject resource = entries.getJsonObject(i).getJsonObject("resource");
            String code = resource.getJsonObject("code").getJsonArray("coding").getJsonObject(0).getString("code");
            ReadingType type = ReadingType.ofCode(code);
            seen.add(type);
            // the resource as a client reads it by id, not only inside the Bundle
            String single = gw.get("/fhir/Observation/" + resource.getString("id")).body();
            problems.addAll(errors(single, null));
            if (type.profile() != null) {
                problems.addAll(errors(single, type.profile()));
                problems.addAll(errors(single, "http://hl7.org/fhir/StructureDefinition/vitalsigns"));
            }
        }
        assertEquals(EnumSet.allOf(ReadingType.class), seen);
        assertEquals(List.of(), problems);
    }

    @Test
    void searchBundleIsValidR4() throws Exception {
        String bundle = gw.get("/fhir/Observation?patient=" + GatewayFixture.PATIENT_ID).body();
        assertEquals(List.of(), errors(bundle, null));
    }

    @Test
    void capabilityStatementAndPatientAreValidR4() throws Exception {
        assertEquals(List.of(), errors(gw.get("/fhir/metadata").body(), null));
        assertEquals(List.of(), errors(gw.get("/fhir/Patient/" + GatewayFixture.PATIENT_ID).body(), null));
    }

    @Test
    void validatorCatchesABrokenVitalSign() throws Exception {
        // guards the guard: the same check must fail on an Observation that breaks the heartrate profile
        JsonObject hr = gw.observations("&code=8867-4").getJsonArray("entry").getJsonObject(0).getJsonObject("resource");
        hr.getJsonObject("valueQuantity").put("code", "/s");
        hr.remove("subject");
        assertTrue(!errors(hr.encode(), ReadingType.HEART_RATE.profile()).isEmpty());
    }

    private List<String> errors(String json, String profile) {
        ValidationOptions options = new ValidationOptions();
        if (profile != null) {
            options.addProfile(profile);
        }
        ValidationResult result = validator.validateWithResult(json, options);
        return result.getMessages().stream()
                .filter(m -> m.getSeverity() == ResultSeverityEnum.ERROR || m.getSeverity() == ResultSeverityEnum.FATAL)
                .map(ObservationValidationTest::describe)
                .collect(Collectors.toList());
    }

    private static String describe(SingleValidationMessage m) {
        return m.getLocationString() + ": " + m.getMessage();
    }
}
