package org.jkn.telemetry.gateway.fhir;

import io.vertx.core.MultiMap;
import java.math.BigDecimal;
import java.time.Duration;
import java.time.ZoneId;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.List;
import java.util.Set;
import org.jkn.telemetry.store.query.StatisticsQuery;

/**
 * Checks the parameters of {@code Observation/$stats} (R4 OperationDefinition Observation-stats):
 * {@code subject} (one patient), what to compute over ({@code code} with an optional {@code
 * system}, and/or {@code coding} as {@code system|code}), when ({@code duration} in hours back from
 * now, or {@code period} as {@code start/end}; exactly one, at most {@value #MAX_DAYS} days), the
 * {@code statistic} codes, and the documented extension {@code interval}: an ISO-8601 duration
 * ({@code PT15M}, {@code PT1H}, {@code P1D}; at least {@code PT1M}, at most {@value
 * StatisticsQuery#MAX_BUCKETS} buckets) giving one result per bucket. {@code include=true} (the
 * source Observations) is refused as not supported; {@code limit} only applies with it, so it is
 * ignored as the definition says.
 */
final class StatsParams {

    static final int MAX_DAYS = 366;
    static final long MIN_INTERVAL_MICROS = 60_000_000L;
    private static final long MICROS_PER_HOUR = 3_600_000_000L;
    private static final Set<String> KNOWN =
            Set.of(
                    "subject",
                    "code",
                    "system",
                    "coding",
                    "duration",
                    "period",
                    "statistic",
                    "include",
                    "limit",
                    "interval",
                    "_format");

    private StatsParams() {}

    /** A checked request, or the message for a 400. */
    record Parsed(
            String patientId,
            List<StatsSeries> series,
            EnumSet<Statistic> statistics,
            long fromMicros,
            long toMicros,
            long intervalMicros,
            String error) {

        static Parsed error(String message) {
            return new Parsed(null, List.of(), EnumSet.noneOf(Statistic.class), 0, 0, 0, message);
        }

        boolean keepValues() {
            return statistics.stream().anyMatch(Statistic::ordered);
        }

        /** The request as recorded in the trail: codes as resolved, statistics and times. */
        String shape() {
            StringBuilder s = new StringBuilder("Observation/$stats?code=");
            for (int i = 0; i < series.size(); i++) {
                s.append(i == 0 ? "" : ",").append(series.get(i).coding().getCode());
            }
            s.append("&statistic=");
            int i = 0;
            for (Statistic st : statistics) {
                s.append(i++ == 0 ? "" : ",").append(st.code());
            }
            return s.append("&from=")
                    .append(fromMicros)
                    .append("&to=")
                    .append(toMicros)
                    .append("&interval=")
                    .append(intervalMicros)
                    .toString();
        }
    }

    static Parsed parse(MultiMap params, ZoneId zone, long nowMicros) {
        String unknown = OperationParams.unknownOrOversized(params, KNOWN, "$stats");
        if (unknown != null) {
            return Parsed.error(unknown);
        }
        List<String> subjects = params.getAll("subject");
        String patient = subjects.size() == 1 ? OperationParams.patientId(subjects.get(0)) : null;
        if (patient == null) {
            return Parsed.error("Exactly one subject: a Patient id or Patient/{id}");
        }
        List<StatsSeries> series = new ArrayList<>();
        String codeError = StatsSeries.resolve(params, series);
        if (codeError != null) {
            return Parsed.error(codeError);
        }
        EnumSet<Statistic> statistics = EnumSet.noneOf(Statistic.class);
        String statisticError = statistics(params.getAll("statistic"), statistics);
        if (statisticError != null) {
            return Parsed.error(statisticError);
        }
        List<String> include = params.getAll("include");
        if (include.size() > 1 || (include.size() == 1 && !include.get(0).equals("false"))) {
            return Parsed.error("include=true (the source Observations) is not supported");
        }
        long[] range = new long[2];
        String rangeError = range(params, zone, nowMicros, range);
        if (rangeError != null) {
            return Parsed.error(rangeError);
        }
        long interval = range[1] - range[0];
        List<String> intervals = params.getAll("interval");
        if (!intervals.isEmpty()) {
            interval = interval(intervals);
            if (interval < 0) {
                return Parsed.error(
                        "interval must be one ISO-8601 duration of at least PT1M, such as PT1H or P1D");
            }
            if ((range[1] - range[0] - 1) / interval + 1 > StatisticsQuery.MAX_BUCKETS) {
                return Parsed.error(
                        "At most " + StatisticsQuery.MAX_BUCKETS + " intervals in the period");
            }
        }
        return new Parsed(patient, series, statistics, range[0], range[1], interval, null);
    }

    private static String statistics(List<String> params, EnumSet<Statistic> out) {
        for (String param : params) {
            for (String code : param.split(",", -1)) {
                Statistic s = Statistic.ofCode(code);
                if (s == null) {
                    return "Unknown or unsupported statistic '"
                            + SearchParams.clip(code)
                            + "'; see the StatisticsCode value set and docs/fhir-api.md";
                }
                out.add(s);
            }
        }
        return out.isEmpty() ? "At least one statistic is required" : null;
    }

    /** Fills {@code out} with {@code [from, to)}; the message for a 400, or null. */
    private static String range(MultiMap params, ZoneId zone, long nowMicros, long[] out) {
        List<String> durations = params.getAll("duration");
        List<String> periods = params.getAll("period");
        if (durations.size() + periods.size() != 1) {
            return "Exactly one of duration (hours back from now) and period (start/end)";
        }
        long maxMicros = MAX_DAYS * 24 * MICROS_PER_HOUR;
        if (durations.size() == 1) {
            BigDecimal hours;
            try {
                hours = new BigDecimal(durations.get(0));
            } catch (NumberFormatException e) {
                return "duration must be a decimal number of hours";
            }
            if (hours.signum() <= 0 || hours.compareTo(BigDecimal.valueOf(MAX_DAYS * 24L)) > 0) {
                return "duration must be more than 0 and at most " + MAX_DAYS * 24 + " hours";
            }
            long micros = hours.multiply(BigDecimal.valueOf(MICROS_PER_HOUR)).longValue();
            out[0] = nowMicros - Math.max(1, micros);
            out[1] = nowMicros;
            return null;
        }
        String period = periods.get(0);
        int slash = period.indexOf('/');
        long[] start = slash > 0 ? FhirDates.range(period.substring(0, slash), zone) : null;
        long[] end = slash > 0 ? FhirDates.range(period.substring(slash + 1), zone) : null;
        if (start == null || end == null) {
            return "period must be start/end, two FHIR dates or dateTimes, e.g. 2026-11-01/2026-11-30";
        }
        // the end's whole precision is in: 2026-11-30 ends at the end of that day
        out[0] = start[0];
        out[1] = end[1];
        if (out[1] <= out[0]) {
            return "period must end after it starts";
        }
        if (out[1] - out[0] > maxMicros) {
            return "period must be at most " + MAX_DAYS + " days";
        }
        return null;
    }

    /** The interval in microseconds, or -1 when it is not one acceptable duration. */
    private static long interval(List<String> params) {
        if (params.size() != 1 || params.get(0).length() > 20) {
            return -1;
        }
        try {
            Duration d = Duration.parse(params.get(0));
            if (d.compareTo(Duration.ofMinutes(1)) < 0
                    || d.compareTo(Duration.ofDays(MAX_DAYS)) > 0) {
                return -1;
            }
            return d.toNanos() / 1000;
        } catch (DateTimeParseException e) {
            return -1;
        }
    }
}
