package org.jkn.telemetry.benchmarks.fhir;

import ca.uhn.fhir.context.FhirContext;
import ca.uhn.fhir.parser.IParser;
import java.util.ArrayList;
import java.util.List;
import org.jkn.telemetry.benchmarks.BenchmarkBase;
import org.jkn.telemetry.benchmarks.normalizer.Batches;
import org.jkn.telemetry.gateway.fhir.JsonBuffer;
import org.jkn.telemetry.gateway.fhir.ObservationJson;
import org.jkn.telemetry.gateway.fhir.ObservationRenderer;
import org.jkn.telemetry.normalizer.BatchNormalizer;
import org.jkn.telemetry.normalizer.NormalizedBatch;
import org.jkn.telemetry.normalizer.NormalizedReading;
import org.jkn.telemetry.normalizer.NormalizerLimits;
import org.jkn.telemetry.normalizer.identity.Pseudonymizer;
import org.jkn.telemetry.store.crypto.RowKeys;
import org.jkn.telemetry.store.query.ObservationIds;
import org.jkn.telemetry.store.query.StoredReading;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.OperationsPerInvocation;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.infra.Blackhole;

/**
 * The same readings as {@code BatchNormalizerBenchmark} rendered as FHIR Observation JSON two ways:
 * built as HAPI FHIR Observations and serialised by HAPI, and written by the streaming renderer the
 * JSON API uses. Scores are readings per second; their ratio in one run is the speed-up.
 */
@State(Scope.Benchmark)
public class FhirRenderBenchmark extends BenchmarkBase {

    @Param({"mixed", "heart_rate"})
    public String type;

    private final ObservationRenderer renderer = new ObservationRenderer();
    private final ObservationJson json = new ObservationJson();
    private final JsonBuffer out = new JsonBuffer(1 << 20);
    private IParser parser;
    private List<StoredReading> rows;

    @Setup
    public void setUp() {
        parser = FhirContext.forR4Cached().newJsonParser();
        BatchNormalizer normalizer =
                new BatchNormalizer(new Pseudonymizer(Batches.KEY), NormalizerLimits.DEFAULTS);
        byte[] body =
                type.equals("mixed")
                        ? Batches.batch(1000, Batches.mixed())
                        : Batches.batch(1000, type);
        NormalizedBatch b = normalizer.normalize(body, Batches.NOW_MICROS);
        rows = new ArrayList<>();
        RowKeys rowKeys = new RowKeys(Batches.KEY);
        for (NormalizedReading r : b.readings()) {
            String key = rowKeys.key(b.patientId(), b.device().id(), r.readingId());
            rows.add(
                    new StoredReading(
                            ObservationIds.id(r.startMicros(), key),
                            b.patientId(),
                            b.device().id(),
                            r.readingId(),
                            "Acme",
                            "Band 5",
                            r.type(),
                            r.startMicros(),
                            r.endMicros(),
                            r.offsetSeconds(),
                            r.value(),
                            r.diastolic(),
                            Batches.NOW_MICROS,
                            r.attrs(),
                            r.stages()));
        }
    }

    /** HAPI's path: an Observation object model per reading, then HAPI's JSON encoder. */
    @Benchmark
    @OperationsPerInvocation(1000)
    public void buildAndSerialise(Blackhole bh) {
        for (int i = 0; i < rows.size(); i++) {
            bh.consume(parser.encodeResourceToString(renderer.render(rows.get(i))));
        }
    }

    /** The streaming renderer the JSON API uses: straight to bytes, one buffer per page. */
    @Benchmark
    @OperationsPerInvocation(1000)
    public void streaming(Blackhole bh) {
        out.reset();
        for (int i = 0; i < rows.size(); i++) {
            json.write(rows.get(i), out);
        }
        bh.consume(out.length());
    }
}
