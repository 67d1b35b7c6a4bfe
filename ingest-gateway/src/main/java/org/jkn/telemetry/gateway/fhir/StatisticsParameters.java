package org.jkn.telemetry.gateway.fhir;

import ca.uhn.fhir.model.api.TemporalPrecisionEnum;
import java.math.BigDecimal;
import java.util.Date;
import java.util.List;
import java.util.TimeZone;
import org.hl7.fhir.r4.model.CodeableConcept;
import org.hl7.fhir.r4.model.DateTimeType;
import org.hl7.fhir.r4.model.IntegerType;
import org.hl7.fhir.r4.model.Observation;
import org.hl7.fhir.r4.model.Parameters;
import org.hl7.fhir.r4.model.Period;
import org.hl7.fhir.r4.model.Quantity;
import org.hl7.fhir.r4.model.Reference;
import org.jkn.telemetry.normalizer.catalog.ReadingType;
import org.jkn.telemetry.store.query.SeriesStatistics;
import org.jkn.telemetry.store.query.StatisticsBucket;
import org.jkn.telemetry.store.query.StatisticsQuery;
import org.jkn.telemetry.store.query.StatisticsResult;

/**
 * The answer of {@code Observation/$stats} as the R4 OperationDefinition describes its {@code
 * statistics} output: a Parameters resource with one {@code statistics} Observation per code (and
 * per interval, with the {@code interval} extension), status {@code final}, the code asked about,
 * the subject, the period as {@code effectivePeriod}, and one component per statistic whose code is
 * the statistic (system {@value Statistic#SYSTEM}) and whose value is a UCUM Quantity in the unit
 * of the readings (an integer for the counts; the variance has no unit: it is in the square of the
 * readings' unit).
 *
 * <p>Intervals without a reading are left out; a code without any reading in the whole period still
 * gets its Observation, with only the counts (0). Stateless and thread-safe.
 */
final class StatisticsParameters {

    private StatisticsParameters() {}

    static Parameters build(
            String patientId,
            StatsParams.Parsed p,
            List<StatsSeries> series,
            StatisticsResult result,
            StatisticsQuery q) {
        Parameters out = new Parameters();
        for (int s = 0; s < series.size(); s++) {
            SeriesStatistics stats = result.series().get(s);
            boolean any = false;
            for (int k = 0; k < stats.bucketCount(); k++) {
                StatisticsBucket b = stats.bucket(k);
                if (b != null) {
                    any = true;
                    Observation o =
                            observation(patientId, series.get(s), q.bucketStart(k), q.bucketEnd(k));
                    components(o, p, b, unit(stats));
                    out.addParameter().setName("statistics").setResource(o);
                }
            }
            if (!any) {
                Observation o = observation(patientId, series.get(s), q.fromMicros(), q.toMicros());
                for (Statistic st : p.statistics()) {
                    if (st.counts()) {
                        component(o, st).setValue(new IntegerType(0));
                    }
                }
                out.addParameter().setName("statistics").setResource(o);
            }
        }
        return out;
    }

    private static Observation observation(
            String patientId, StatsSeries series, long fromMicros, long toMicros) {
        Observation o = new Observation();
        o.setStatus(Observation.ObservationStatus.FINAL);
        o.getCode().addCoding(series.coding().copy());
        o.setSubject(new Reference("Patient/" + patientId));
        o.setEffective(new Period().setStartElement(utc(fromMicros)).setEndElement(utc(toMicros)));
        return o;
    }

    private static void components(
            Observation o, StatsParams.Parsed p, StatisticsBucket b, String[] unit) {
        for (Statistic st : p.statistics()) {
            Observation.ObservationComponentComponent c = component(o, st);
            double v = st.of(b);
            if (st.counts()) {
                c.setValue(new IntegerType((int) Math.min(Integer.MAX_VALUE, b.count())));
            } else if (st == Statistic.VARIANCE) {
                c.setValue(new Quantity().setValue(decimal(v)));
            } else {
                c.setValue(
                        new Quantity()
                                .setValue(decimal(v))
                                .setUnit(unit[1])
                                .setSystem(ObservationRenderer.UCUM)
                                .setCode(unit[0]));
            }
        }
    }

    private static Observation.ObservationComponentComponent component(
            Observation o, Statistic st) {
        Observation.ObservationComponentComponent c = o.addComponent();
        c.setCode(
                new CodeableConcept()
                        .addCoding(
                                new org.hl7.fhir.r4.model.Coding(
                                        Statistic.SYSTEM, st.code(), st.display())));
        return c;
    }

    /** UCUM code and display of the series' readings. */
    static String[] unit(SeriesStatistics stats) {
        ReadingType t = stats.firstType();
        String code = t.ucum(stats.firstAttrs());
        return new String[] {code, code.equals(t.ucum()) ? t.unitDisplay() : code};
    }

    static BigDecimal decimal(double v) {
        return v == Math.rint(v) && Math.abs(v) < 1e15
                ? BigDecimal.valueOf((long) v)
                : BigDecimal.valueOf(v);
    }

    static DateTimeType utc(long micros) {
        long millis = Math.floorDiv(micros, 1000L);
        return new DateTimeType(
                new Date(millis),
                millis % 1000 == 0 ? TemporalPrecisionEnum.SECOND : TemporalPrecisionEnum.MILLI,
                TimeZone.getTimeZone("UTC"));
    }
}
