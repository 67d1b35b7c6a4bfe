package org.jkn.telemetry.gateway.fhir;

import java.time.LocalDate;
import java.time.LocalDateTime;
import java.time.OffsetDateTime;
import java.time.ZoneId;
import java.time.ZoneOffset;
import java.time.ZonedDateTime;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Parses a FHIR date search value (without prefix) into the range its precision implies, in epoch
 * microseconds {@code [low, high)}: {@code 2026} is the year, {@code 2026-11-22T08:00+07:00} the
 * minute. A value with a time but no offset is read in the configured zone (FHIR R4 §3.1.1.5.6).
 */
public final class FhirDates {

    private static final Pattern DATE_TIME =
            Pattern.compile(
                    "(\\d{4})(?:-(\\d{2})(?:-(\\d{2})(?:T(\\d{2}):(\\d{2})(?::(\\d{2})(?:\\.(\\d{1,9}))?)?(Z|[+-]\\d{2}:\\d{2})?)?)?)?");

    private FhirDates() {}

    /** Returns {low, high} or null when the text is not a FHIR date/dateTime. */
    public static long[] range(String text, ZoneId zone) {
        if (text.length() > 40) {
            return null;
        }
        Matcher m = DATE_TIME.matcher(text);
        if (!m.matches()) {
            return null;
        }
        try {
            int year = Integer.parseInt(m.group(1));
            if (m.group(2) == null) {
                return days(LocalDate.of(year, 1, 1), LocalDate.of(year + 1, 1, 1), zone);
            }
            int month = Integer.parseInt(m.group(2));
            if (m.group(3) == null) {
                LocalDate first = LocalDate.of(year, month, 1);
                return days(first, first.plusMonths(1), zone);
            }
            LocalDate day = LocalDate.of(year, month, Integer.parseInt(m.group(3)));
            if (m.group(4) == null) {
                return days(day, day.plusDays(1), zone);
            }
            int seconds = m.group(6) == null ? 0 : Integer.parseInt(m.group(6));
            String fraction = m.group(7);
            int nanos =
                    fraction == null
                            ? 0
                            : Integer.parseInt((fraction + "000000000").substring(0, 9));
            LocalDateTime local =
                    LocalDateTime.of(
                            day.getYear(),
                            day.getMonth(),
                            day.getDayOfMonth(),
                            Integer.parseInt(m.group(4)),
                            Integer.parseInt(m.group(5)),
                            seconds,
                            nanos);
            OffsetDateTime t =
                    m.group(8) == null
                            ? ZonedDateTime.of(local, zone).toOffsetDateTime()
                            : local.atOffset(ZoneOffset.of(m.group(8)));
            long width;
            if (m.group(6) == null) {
                width = 60_000_000L;
            } else if (fraction == null) {
                width = 1_000_000L;
            } else {
                width = Math.max(1, (long) Math.pow(10, 6 - Math.min(6, fraction.length())));
            }
            long low = micros(t);
            return new long[] {low, low + width};
        } catch (java.time.DateTimeException | NumberFormatException e) {
            return null; // 2026-02-30, hour 25, offset +99:00 ...
        }
    }

    private static long[] days(LocalDate from, LocalDate to, ZoneId zone) {
        return new long[] {
            micros(from.atStartOfDay(zone).toOffsetDateTime()),
            micros(to.atStartOfDay(zone).toOffsetDateTime())
        };
    }

    private static long micros(OffsetDateTime t) {
        return t.toEpochSecond() * 1_000_000L + t.getNano() / 1000;
    }
}
