package org.jkn.telemetry.gateway.fhir;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonGenerator;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.List;
import org.hl7.fhir.r4.model.Coding;
import org.hl7.fhir.r4.model.DecimalType;
import org.jkn.telemetry.store.query.SeriesStatistics;
import org.jkn.telemetry.store.query.StatisticsBucket;
import org.jkn.telemetry.store.query.StatisticsQuery;
import org.jkn.telemetry.store.query.StatisticsResult;

/**
 * The JSON of {@link StatisticsParameters}, written straight from the statistics: a month of hourly
 * results is 720 Observations, which HAPI's object model took longer to build and encode than the
 * store took to compute them. The same content as the HAPI resource (a test parses both and
 * compares them); XML still goes through HAPI. Stateless and thread-safe.
 */
final class StatisticsJson {

    private static final JsonFactory JSON = new JsonFactory();

    private StatisticsJson() {}

    static byte[] write(
            String patientId,
            StatsParams.Parsed p,
            List<StatsSeries> series,
            StatisticsResult result,
            StatisticsQuery q) {
        ByteArrayOutputStream out = new ByteArrayOutputStream(8192);
        try (JsonGenerator g = JSON.createGenerator(out)) {
            g.writeStartObject();
            g.writeStringField("resourceType", "Parameters");
            g.writeArrayFieldStart("parameter");
            for (int s = 0; s < series.size(); s++) {
                SeriesStatistics stats = result.series().get(s);
                boolean any = false;
                for (int k = 0; k < stats.bucketCount(); k++) {
                    StatisticsBucket b = stats.bucket(k);
                    if (b != null) {
                        any = true;
                        String[] unit = StatisticsParameters.unit(stats);
                        observation(g, patientId, series.get(s), q.bucketStart(k), q.bucketEnd(k));
                        g.writeArrayFieldStart("component");
                        for (Statistic st : p.statistics()) {
                            component(g, st, b, unit);
                        }
                        g.writeEndArray();
                        endObservation(g);
                    }
                }
                if (!any) {
                    observation(g, patientId, series.get(s), q.fromMicros(), q.toMicros());
                    if (p.statistics().stream().anyMatch(Statistic::counts)) {
                        g.writeArrayFieldStart("component");
                        for (Statistic st : p.statistics()) {
                            if (st.counts()) {
                                statisticCode(g, st);
                                g.writeNumberField("valueInteger", 0);
                                g.writeEndObject();
                            }
                        }
                        g.writeEndArray();
                    }
                    endObservation(g);
                }
            }
            g.writeEndArray();
            g.writeEndObject();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return out.toByteArray();
    }

    private static void observation(
            JsonGenerator g, String patientId, StatsSeries series, long from, long to)
            throws IOException {
        g.writeStartObject();
        g.writeStringField("name", "statistics");
        g.writeObjectFieldStart("resource");
        g.writeStringField("resourceType", "Observation");
        g.writeStringField("status", "final");
        g.writeObjectFieldStart("code");
        g.writeArrayFieldStart("coding");
        coding(g, series.coding());
        g.writeEndArray();
        g.writeEndObject();
        g.writeObjectFieldStart("subject");
        g.writeStringField("reference", "Patient/" + patientId);
        g.writeEndObject();
        g.writeObjectFieldStart("effectivePeriod");
        g.writeStringField("start", utc(from));
        g.writeStringField("end", utc(to));
        g.writeEndObject();
    }

    private static void endObservation(JsonGenerator g) throws IOException {
        g.writeEndObject();
        g.writeEndObject();
    }

    private static void coding(JsonGenerator g, Coding c) throws IOException {
        g.writeStartObject();
        if (c.hasSystem()) {
            g.writeStringField("system", c.getSystem());
        }
        g.writeStringField("code", c.getCode());
        if (c.hasDisplay()) {
            g.writeStringField("display", c.getDisplay());
        }
        g.writeEndObject();
    }

    private static void statisticCode(JsonGenerator g, Statistic st) throws IOException {
        g.writeStartObject();
        g.writeObjectFieldStart("code");
        g.writeArrayFieldStart("coding");
        g.writeStartObject();
        g.writeStringField("system", Statistic.SYSTEM);
        g.writeStringField("code", st.code());
        g.writeStringField("display", st.display());
        g.writeEndObject();
        g.writeEndArray();
        g.writeEndObject();
    }

    private static void component(JsonGenerator g, Statistic st, StatisticsBucket b, String[] unit)
            throws IOException {
        statisticCode(g, st);
        if (st.counts()) {
            g.writeNumberField("valueInteger", (int) Math.min(Integer.MAX_VALUE, b.count()));
        } else {
            g.writeObjectFieldStart("valueQuantity");
            // as HAPI writes a decimal, so both encodings say the same number the same way
            g.writeFieldName("value");
            g.writeNumber(
                    new DecimalType(StatisticsParameters.decimal(st.of(b))).getValueAsString());
            if (st != Statistic.VARIANCE) {
                g.writeStringField("unit", unit[1]);
                g.writeStringField("system", ObservationRenderer.UCUM);
                g.writeStringField("code", unit[0]);
            }
            g.writeEndObject();
        }
        g.writeEndObject();
    }

    /** A dateTime exactly as {@link StatisticsParameters} has HAPI write it. */
    private static String utc(long micros) {
        return StatisticsParameters.utc(micros).getValueAsString();
    }
}
