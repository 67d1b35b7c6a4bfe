package org.jkn.telemetry.normalizer;

/**
 * Parses ISO 8601 / RFC 3339 date-times with a mandatory UTC offset ({@code
 * 2026-11-22T08:00:00+07:00}, {@code 2026-11-22T01:00:00.250Z}; seconds optional) straight from the
 * parser's character buffer, without allocating. Accepts exactly what {@code
 * OffsetDateTime.parse(s, ISO_OFFSET_DATE_TIME)} accepts for these shapes (an oracle test checks
 * it: 't' and 'z' in either case, a bare decimal point), with fractions truncated to microseconds.
 *
 * <p>Results are written into the owner's fields; one instance per normalizer call, not
 * thread-safe.
 */
final class IsoTime {

    /** Not an offset: real ones are within +-18 hours. */
    private static final int NO_OFFSET = Integer.MIN_VALUE;

    /** Epoch microseconds of the last successful parse. */
    long micros;

    /** UTC offset in seconds of the last successful parse. */
    int offsetSeconds;

    /** Returns false when the text is not a date-time with an offset; fields are then undefined. */
    boolean parse(char[] c, int off, int len) {
        int end = off + len;
        // YYYY-MM-DDTHH:MM is the shortest prefix (16), then at least "Z"
        if (len < 17 || len > 40) {
            return false;
        }
        int year = digits(c, off, 4);
        int month = digits(c, off + 5, 2);
        int day = digits(c, off + 8, 2);
        int hour = digits(c, off + 11, 2);
        int minute = digits(c, off + 14, 2);
        if (year < 0
                || month < 1
                || month > 12
                || day < 1
                || hour < 0
                || hour > 23
                || minute < 0
                || minute > 59
                || c[off + 4] != '-'
                || c[off + 7] != '-'
                || (c[off + 10] | 0x20) != 't'
                || c[off + 13] != ':'
                || day > daysInMonth(year, month)) {
            return false;
        }
        int p = off + 16;
        int second = 0;
        long micro = 0;
        if (p < end && c[p] == ':') {
            second = digits(c, p + 1, 2);
            if (second < 0 || second > 59 || p + 3 > end) {
                return false;
            }
            p += 3;
            if (p < end && c[p] == '.') {
                int start = p + 1;
                p = digitsEnd(c, start, end);
                if (p - start > 9) { // java.time accepts a bare decimal point; so do we
                    return false;
                }
                micro = fractionMicros(c, start, p);
            }
        }
        if (p >= end) {
            return false; // no offset
        }
        int offset = offsetSeconds(c, p, end);
        if (offset == NO_OFFSET) {
            return false;
        }
        long epochDay = epochDay(year, month, day);
        long seconds = epochDay * 86_400L + hour * 3600L + minute * 60L + second - offset;
        micros = seconds * 1_000_000L + micro;
        offsetSeconds = offset;
        return true;
    }

    /**
     * Index of the first character from {@code from} on that is not a digit, at most {@code end}.
     */
    private static int digitsEnd(char[] c, int from, int end) {
        int p = from;
        while (p < end && c[p] >= '0' && c[p] <= '9') {
            p++;
        }
        return p;
    }

    /** A fraction's digits {@code c[from, to)} in microseconds: the first six, truncated. */
    private static long fractionMicros(char[] c, int from, int to) {
        long micro = 0;
        for (int i = from; i < from + 6; i++) {
            micro = micro * 10 + (i < to ? c[i] - '0' : 0);
        }
        return micro;
    }

    /** The offset {@code c[p, end)} ("Z" or "+HH:MM") in seconds, or {@link #NO_OFFSET}. */
    private static int offsetSeconds(char[] c, int p, int end) {
        if ((c[p] | 0x20) == 'z' && p + 1 == end) {
            return 0;
        }
        if ((c[p] == '+' || c[p] == '-') && p + 6 == end && c[p + 3] == ':') {
            int oh = digits(c, p + 1, 2);
            int om = digits(c, p + 4, 2);
            if (oh < 0 || om < 0 || om > 59 || oh > 18 || (oh == 18 && om > 0)) {
                return NO_OFFSET;
            }
            return (oh * 3600 + om * 60) * (c[p] == '-' ? -1 : 1);
        }
        return NO_OFFSET;
    }

    private static int digits(char[] c, int at, int n) {
        int v = 0;
        for (int i = 0; i < n; i++) {
            char ch = c[at + i];
            if (ch < '0' || ch > '9') {
                return -1;
            }
            v = v * 10 + (ch - '0');
        }
        return v;
    }

    private static int daysInMonth(int year, int month) {
        return switch (month) {
            case 2 -> (year % 4 == 0 && (year % 100 != 0 || year % 400 == 0)) ? 29 : 28;
            case 4, 6, 9, 11 -> 30;
            default -> 31;
        };
    }

    /** Days since 1970-01-01 in the proleptic Gregorian calendar (as java.time's LocalDate). */
    static long epochDay(int year, int month, int day) {
        long y = year;
        long total = 365 * y;
        total += (y + 3) / 4 - (y + 99) / 100 + (y + 399) / 400;
        total += (367 * month - 362) / 12;
        total += day - 1;
        if (month > 2) {
            total--;
            if (!(year % 4 == 0 && (year % 100 != 0 || year % 400 == 0))) {
                total--;
            }
        }
        return total - 719_528L; // days from year 0 to 1970
    }
}
