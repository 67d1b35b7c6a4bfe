package org.jkn.telemetry.benchmarks.store;

import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import org.jkn.telemetry.normalizer.catalog.DataCategory;
import org.jkn.telemetry.normalizer.catalog.ReadingType;
import org.jkn.telemetry.store.query.DateBound;
import org.jkn.telemetry.store.query.DatePrefix;
import org.jkn.telemetry.store.query.ObservationSearch;

/**
 * The searches measured, each as the FHIR query string a client sends and as the {@link
 * ObservationSearch} the gateway's parameter parsing makes of it, so the store-level and HTTP
 * figures are for the same work. First page; newest first unless said otherwise.
 */
enum SearchQuery {
    /** (a) one hour of 1 Hz heart rate, 1,000 of its 3,600 readings. */
    HOUR("hour", true, false, false, 1000),
    /** (b) the first 100 of a day, any code. */
    DAY("day", false, true, false, 100),
    /** (b) with the heart-rate code, which narrows the types searched. */
    DAY_HR("day-hr", true, true, false, 100),
    /**
     * (b) oldest first ({@code _sort=date}): a page can end before the day's later blocks are
     * opened.
     */
    DAY_ASC("day-asc", false, true, true, 100),
    /**
     * The hour search with {@code _count=0}: the gateway reads nothing, so this is HTTP, auth and
     * audit alone.
     */
    NONE("none", true, false, false, 0);

    static final String HEART_RATE_SYSTEM = "http://loinc.org";
    static final String HEART_RATE_CODE = "8867-4";
    private static final long SECOND = 1_000_000L;

    final String label;
    final boolean heartRateCode;
    final boolean wholeDay;
    final boolean ascending;
    final int count;

    SearchQuery(
            String label, boolean heartRateCode, boolean wholeDay, boolean ascending, int count) {
        this.label = label;
        this.heartRateCode = heartRateCode;
        this.wholeDay = wholeDay;
        this.ascending = ascending;
        this.count = count;
    }

    static SearchQuery of(String label) {
        for (SearchQuery q : values()) {
            if (q.label.equals(label)) {
                return q;
            }
        }
        throw new IllegalArgumentException(
                "unknown query " + label + "; known: hour, day, day-hr, day-asc, none");
    }

    /** One search of a random patient, day and (for hour searches) hour of the cohort. */
    Target pick(Cohort cohort, Random random) {
        int patient = random.nextInt(cohort.patients);
        long from = cohort.firstDayMicros() + random.nextInt(cohort.days) * Cohort.DAY_MICROS;
        if (!wholeDay) {
            from += random.nextInt(24) * Cohort.HOUR_MICROS;
        }
        return new Target(
                patient, from, from + (wholeDay ? Cohort.DAY_MICROS : Cohort.HOUR_MICROS));
    }

    /** The query string after {@code /fhir/Observation?}. */
    String queryString(String patientId, Target t) {
        StringBuilder s = new StringBuilder("patient=").append(patientId);
        if (heartRateCode) {
            s.append("&code=")
                    .append(
                            URLEncoder.encode(
                                    HEART_RATE_SYSTEM + "|" + HEART_RATE_CODE,
                                    StandardCharsets.UTF_8));
        }
        s.append("&date=ge")
                .append(fhirDate(t.fromMicros))
                .append("&date=lt")
                .append(fhirDate(t.toMicros));
        if (ascending) {
            s.append("&_sort=date");
        }
        return s.append("&_count=").append(count).toString();
    }

    /**
     * What SearchParams makes of {@link #queryString}: a date is its day, a dateTime to the second
     * is that second.
     */
    ObservationSearch search(String patientId, Target t) {
        List<String> codes =
                heartRateCode
                        ? new ArrayList<>(
                                ReadingType.storedCodesMatching(HEART_RATE_SYSTEM, HEART_RATE_CODE))
                        : List.of();
        long width = wholeDay ? Cohort.DAY_MICROS : SECOND;
        List<DateBound> dates =
                List.of(
                        new DateBound(DatePrefix.GE, t.fromMicros, t.fromMicros + width),
                        new DateBound(DatePrefix.LT, t.toMicros, t.toMicros + width));
        // a patient reading their own data sees every category
        return new ObservationSearch(patientId, codes, dates, ascending, count, 0)
                .onlyCategories(DataCategory.ALL);
    }

    private String fhirDate(long micros) {
        Instant i = Instant.ofEpochSecond(micros / SECOND);
        return wholeDay
                ? LocalDate.ofInstant(i, ZoneOffset.UTC).toString()
                : i.toString(); // 2026-11-22 or 2026-11-22T08:00:00Z
    }

    /** Who and when one search asks for: {@code [fromMicros, toMicros)}. */
    record Target(int patient, long fromMicros, long toMicros) {}
}
