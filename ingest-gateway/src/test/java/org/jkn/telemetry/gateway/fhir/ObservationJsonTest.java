package org.jkn.telemetry.gateway.fhir;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ca.uhn.fhir.context.FhirContext;
import ca.uhn.fhir.parser.IParser;
import io.vertx.core.MultiMap;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.Date;
import java.util.EnumSet;
import java.util.List;
import java.util.Set;
import org.hl7.fhir.r4.model.Bundle;
import org.hl7.fhir.r4.model.Observation;
import org.jkn.telemetry.gateway.GatewayFixture;
import org.jkn.telemetry.normalizer.BatchNormalizer;
import org.jkn.telemetry.normalizer.NormalizedBatch;
import org.jkn.telemetry.normalizer.NormalizedReading;
import org.jkn.telemetry.normalizer.NormalizerLimits;
import org.jkn.telemetry.normalizer.catalog.ReadingType;
import org.jkn.telemetry.normalizer.identity.Pseudonymizer;
import org.jkn.telemetry.store.query.StoredReading;
import org.junit.jupiter.api.Test;

/**
 * The streaming renderer against HAPI's: every reading of the catalogue corpus (every type, unit,
 * range edge and attribute choice, dense series, sleep stages), under every offset, with devices
 * whose ids and names hold what JSON must escape, is written by {@link ObservationJson}, parsed by
 * HAPI and compared with what {@link ObservationRenderer} builds, encoded the same way. Search
 * pages are compared whole, links and totals included.
 */
class ObservationJsonTest {

    private static final String NIK = "3171020101900151";
    private static final IParser PARSER = FhirContext.forR4Cached().newJsonParser();
    private static final String[][] DEVICES = {
        {"corpus-1", "Acme", null},
        {"band \"5\" \\ / <script>", null, "Band 5"},
        {"jam-tangan-é-日本-🙂", "Acme\tCorp\n", "M\u0001odel\u007f\u2028"},
        {"d", "", null},
    };

    private final ObservationRenderer hapi = new ObservationRenderer();
    private final ObservationJson streaming = new ObservationJson();

    @Test
    void everyCorpusReadingParsesToTheResourceHapiBuilds() {
        List<StoredReading> readings = corpus();
        Set<ReadingType> seen = EnumSet.noneOf(ReadingType.class);
        for (StoredReading r : readings) {
            JsonBuffer out = new JsonBuffer(64);
            streaming.write(r, out);
            String ours = new String(out.toByteArray(), StandardCharsets.UTF_8);
            assertEquals(
                    PARSER.encodeResourceToString(hapi.render(r)),
                    PARSER.encodeResourceToString(PARSER.parseResource(Observation.class, ours)),
                    () -> r.type() + " " + r.readingId() + " written as " + ours);
            seen.add(r.type());
        }
        assertEquals(EnumSet.allOf(ReadingType.class), seen, "the corpus covers every type");
    }

    @Test
    void theSourceIdentifierNamesTheDeviceAndTheReadingAsSent() {
        for (String[] device : DEVICES) {
            String system = SourceIdentifiers.system(device[0]);
            assertTrue(system.matches("urn:telemetry:device:[A-Za-z0-9%._~-]+:reading"), system);
            assertEquals(device[0], SourceIdentifiers.deviceOf(system));
        }
        for (String hostile :
                new String[] {
                    "urn:telemetry:device::reading",
                    "urn:telemetry:device:a%2:reading",
                    "urn:telemetry:device:a%zz:reading",
                    "urn:telemetry:device:%61:reading", // not the canonical spelling of "a"
                    "urn:telemetry:device:a b:reading",
                    "urn:telemetry:device:%FF:reading",
                    "http://loinc.org",
                    ""
                }) {
            assertNull(SourceIdentifiers.deviceOf(hostile), hostile);
        }
        StoredReading r = corpus().get(0);
        Observation o = PARSER.parseResource(Observation.class, written(r));
        assertEquals(r.readingId(), o.getIdentifierFirstRep().getValue());
        assertEquals(
                r.deviceId(),
                SourceIdentifiers.deviceOf(o.getIdentifierFirstRep().getSystem()),
                "the system names the device");
    }

    @Test
    void aPageParsesToTheBundleHapiBuilds() {
        List<StoredReading> readings = corpus().subList(0, SearchParams.MAX_COUNT);
        ObservationSearchset searchset = new ObservationSearchset();
        long now = 1_764_000_000_123L;
        for (String elements : new String[] {null, "value,effective", "identifier"}) {
            for (int offset : new int[] {0, 10}) {
                for (int count : new int[] {0, 10, readings.size() - 1, readings.size()}) {
                    SearchParams.Parsed p = parsed(count, offset, elements);
                    List<StoredReading> rows =
                            readings.subList(0, Math.min(readings.size(), count + 1));
                    Long total = ObservationSearchset.pageTotal(p.search(), rows.size());
                    String base = "https://fhir.example/fhir";
                    String ours =
                            searchset
                                    .json(base, p, rows, total, now)
                                    .toString(StandardCharsets.UTF_8);
                    assertEquals(
                            PARSER.encodeResourceToString(
                                    searchset.page(base, p, rows, total, now)),
                            PARSER.encodeResourceToString(PARSER.parseResource(Bundle.class, ours)),
                            "count " + count + " offset " + offset + " _elements " + elements);
                }
            }
        }
    }

    @Test
    void aLastnAnswerParsesToTheBundleHapiBuilds() {
        LastnBundle lastn = new LastnBundle();
        long now = 1_764_000_000_123L;
        for (List<StoredReading> readings : List.of(List.<StoredReading>of(), corpus())) {
            String ours =
                    lastn.json("https://fhir.example/fhir", readings, now)
                            .toString(StandardCharsets.UTF_8);
            assertEquals(
                    PARSER.encodeResourceToString(
                            lastn.of("https://fhir.example/fhir", readings, new Date(now))),
                    PARSER.encodeResourceToString(PARSER.parseResource(Bundle.class, ours)));
        }
    }

    @Test
    void elementsKeepsWhatIsAskedAndTheMandatoryAndSaysTheResourceIsSubsetted() {
        StoredReading bp =
                corpus().stream()
                        .filter(r -> r.type() == ReadingType.BLOOD_PRESSURE)
                        .findFirst()
                        .orElseThrow();
        JsonBuffer out = new JsonBuffer(64);
        streaming.write(bp, out, ObservationElements.parse("Observation.effective,component"));
        Observation o =
                PARSER.parseResource(
                        Observation.class, new String(out.toByteArray(), StandardCharsets.UTF_8));
        assertEquals(bp.observationId(), o.getIdElement().getIdPart());
        assertEquals("SUBSETTED", o.getMeta().getTagFirstRep().getCode());
        assertTrue(o.hasStatus() && o.hasCode() && o.hasEffective() && o.hasComponent());
        assertTrue(!o.hasValue() && !o.hasSubject() && !o.hasDevice() && !o.hasIdentifier());
        assertNull(ObservationElements.parse("value,nonsense"));
        assertNull(ObservationElements.parse("value;drop table"));
        assertNull(ObservationElements.parse(""));
    }

    private String written(StoredReading r) {
        JsonBuffer out = new JsonBuffer(64);
        streaming.write(r, out);
        return new String(out.toByteArray(), StandardCharsets.UTF_8);
    }

    private static SearchParams.Parsed parsed(int count, int offset, String elements) {
        MultiMap params =
                MultiMap.caseInsensitiveMultiMap()
                        .add("patient", "patient-x")
                        .add("code", "8867-4,http://loinc.org|59408-5")
                        .add("date", "ge2026-01-01")
                        .add("_count", Integer.toString(count))
                        .add("_offset", Integer.toString(offset));
        if (elements != null) {
            params.add("_elements", elements);
        }
        SearchParams.Parsed p = SearchParams.parse(params, ZoneOffset.ofHours(7));
        assertNull(p.error());
        return p;
    }

    /** The corpus as stored readings, once per device, with times in seconds and milliseconds. */
    static List<StoredReading> corpus() {
        Instant now = Instant.parse("2026-11-22T06:00:00Z");
        List<Corpus.Item> items = new Corpus(now).generate();
        StringBuilder body = new StringBuilder();
        for (Corpus.Item item : items) {
            if (item.json() != null) {
                body.append(body.length() == 0 ? "" : ",").append(item.json());
            }
        }
        byte[] batch =
                ("{\"patient\":\""
                                + NIK
                                + "\",\"device\":{\"id\":\"corpus-1\"},\"readings\":["
                                + body
                                + "]}")
                        .getBytes(StandardCharsets.UTF_8);
        long nowMicros = now.getEpochSecond() * 1_000_000L;
        NormalizedBatch b =
                new BatchNormalizer(
                                new Pseudonymizer(GatewayFixture.KEY), NormalizerLimits.DEFAULTS)
                        .normalize(batch, nowMicros);
        assertEquals(List.of(), b.rejections(), "the corpus is accepted whole");
        List<StoredReading> out = new ArrayList<>();
        int n = 0;
        for (String[] device : DEVICES) {
            for (NormalizedReading r : b.readings()) {
                long shift = n % 3 == 0 ? 0 : 123_000L * (n % 7); // some at millisecond precision
                out.add(
                        new StoredReading(
                                "obs-" + n,
                                b.patientId(),
                                device[0],
                                device == DEVICES[0] ? r.readingId() : device[0] + "/" + n,
                                device[1],
                                device[2],
                                r.type(),
                                r.startMicros() + shift,
                                r.endMicros() + shift,
                                r.offsetSeconds(),
                                r.value(),
                                r.diastolic(),
                                nowMicros + 1_000L * n,
                                r.attrs(),
                                r.stages()));
                n++;
            }
        }
        return out;
    }
}
