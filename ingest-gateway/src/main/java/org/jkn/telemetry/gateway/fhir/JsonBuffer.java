package org.jkn.telemetry.gateway.fhir;

import java.math.BigDecimal;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;

/**
 * A growable UTF-8 JSON output for the FHIR renderers: strings escaped as RFC 8259 requires,
 * decimals and FHIR date-times written as HAPI FHIR writes them, so that what it writes parses to
 * the same resources. Not thread-safe: one per response.
 */
public final class JsonBuffer {

    private static final byte[] HEX = "0123456789abcdef".getBytes(StandardCharsets.US_ASCII);

    private byte[] bytes;
    private int length;

    public JsonBuffer(int capacity) {
        bytes = new byte[Math.max(16, capacity)];
    }

    public int length() {
        return length;
    }

    /** The bytes written so far (a copy). */
    public byte[] toByteArray() {
        return Arrays.copyOf(bytes, length);
    }

    /** The backing array; only its first {@link #length()} bytes are written. */
    public byte[] array() {
        return bytes;
    }

    public void reset() {
        length = 0;
    }

    /** Appends JSON text that is already valid and ASCII, such as {@code ,"status":"final"}. */
    public JsonBuffer raw(String ascii) {
        int n = ascii.length();
        ensure(n);
        for (int i = 0; i < n; i++) {
            bytes[length++] = (byte) ascii.charAt(i);
        }
        return this;
    }

    JsonBuffer raw(char c) {
        ensure(1);
        bytes[length++] = (byte) c;
        return this;
    }

    /** Appends pre-rendered bytes, such as a cached coding. */
    JsonBuffer raw(byte[] fragment) {
        ensure(fragment.length);
        System.arraycopy(fragment, 0, bytes, length, fragment.length);
        length += fragment.length;
        return this;
    }

    /** Appends {@code s} as a JSON string, quoted and escaped. */
    public JsonBuffer string(String s) {
        int n = s.length();
        // worst case: every char a six-byte escape, plus the quotes
        ensure(n * 6 + 2);
        bytes[length++] = '"';
        for (int i = 0; i < n; i++) {
            char c = s.charAt(i);
            if (c >= 0x20 && c < 0x7f && c != '"' && c != '\\') {
                bytes[length++] = (byte) c;
            } else if (c == '"' || c == '\\') {
                bytes[length++] = '\\';
                bytes[length++] = (byte) c;
            } else if (c < 0x20) {
                escapeControl(c);
            } else if (c < 0x80) {
                bytes[length++] = (byte) c; // DEL needs no escape in JSON
            } else if (c < 0x800) {
                bytes[length++] = (byte) (0xc0 | (c >> 6));
                bytes[length++] = (byte) (0x80 | (c & 0x3f));
            } else if (Character.isHighSurrogate(c)
                    && i + 1 < n
                    && Character.isLowSurrogate(s.charAt(i + 1))) {
                int cp = Character.toCodePoint(c, s.charAt(++i));
                bytes[length++] = (byte) (0xf0 | (cp >> 18));
                bytes[length++] = (byte) (0x80 | ((cp >> 12) & 0x3f));
                bytes[length++] = (byte) (0x80 | ((cp >> 6) & 0x3f));
                bytes[length++] = (byte) (0x80 | (cp & 0x3f));
            } else if (Character.isSurrogate(c)) {
                // a lone surrogate cannot be UTF-8: escaped, as a JSON parser accepts it
                escapeUnicode(c);
            } else {
                bytes[length++] = (byte) (0xe0 | (c >> 12));
                bytes[length++] = (byte) (0x80 | ((c >> 6) & 0x3f));
                bytes[length++] = (byte) (0x80 | (c & 0x3f));
            }
        }
        bytes[length++] = '"';
        return this;
    }

    private void escapeControl(char c) {
        switch (c) {
            case '\n' -> {
                bytes[length++] = '\\';
                bytes[length++] = 'n';
            }
            case '\r' -> {
                bytes[length++] = '\\';
                bytes[length++] = 'r';
            }
            case '\t' -> {
                bytes[length++] = '\\';
                bytes[length++] = 't';
            }
            default -> escapeUnicode(c);
        }
    }

    private void escapeUnicode(char c) {
        bytes[length++] = '\\';
        bytes[length++] = 'u';
        bytes[length++] = HEX[(c >> 12) & 0xf];
        bytes[length++] = HEX[(c >> 8) & 0xf];
        bytes[length++] = HEX[(c >> 4) & 0xf];
        bytes[length++] = HEX[c & 0xf];
    }

    JsonBuffer number(long v) {
        ensure(20);
        if (v < 0) {
            if (v == Long.MIN_VALUE) {
                return raw(Long.toString(v));
            }
            bytes[length++] = '-';
            v = -v;
        }
        int start = length;
        do {
            bytes[length++] = (byte) ('0' + (v % 10));
            v /= 10;
        } while (v != 0);
        for (int i = start, j = length - 1; i < j; i++, j--) {
            byte t = bytes[i];
            bytes[i] = bytes[j];
            bytes[j] = t;
        }
        return this;
    }

    /**
     * Appends a FHIR decimal as HAPI writes {@code BigDecimal.valueOf(v)}: whole numbers without a
     * fraction, others with the shortest digits that read back as {@code v}.
     */
    JsonBuffer decimal(double v) {
        if (v == Math.rint(v) && Math.abs(v) < 1e15) {
            return number((long) v);
        }
        String digits = Double.toString(v);
        // BigDecimal.valueOf reads exactly these digits; only its rendering of an exponent differs
        return raw(digits.indexOf('E') < 0 ? digits : BigDecimal.valueOf(v).toString());
    }

    /**
     * Appends a quoted FHIR dateTime or instant: the civil time at {@code offsetSeconds}, seconds
     * or milliseconds as {@code millisPrecision} says, and the offset as {@code +hh:mm}.
     */
    JsonBuffer dateTime(long epochMillis, int offsetSeconds, boolean millisPrecision) {
        ensure(32);
        long local = Math.floorDiv(epochMillis, 1000L) + offsetSeconds;
        long days = Math.floorDiv(local, 86_400L);
        int secondOfDay = (int) Math.floorMod(local, 86_400L);
        bytes[length++] = '"';
        civilDate(days);
        bytes[length++] = 'T';
        twoDigits(secondOfDay / 3600);
        bytes[length++] = ':';
        twoDigits(secondOfDay / 60 % 60);
        bytes[length++] = ':';
        twoDigits(secondOfDay % 60);
        if (millisPrecision) {
            int millis = (int) Math.floorMod(epochMillis, 1000L);
            bytes[length++] = '.';
            bytes[length++] = (byte) ('0' + millis / 100);
            twoDigits(millis % 100);
        }
        int abs = Math.abs(offsetSeconds);
        bytes[length++] = (byte) (offsetSeconds < 0 ? '-' : '+');
        twoDigits(abs / 3600);
        bytes[length++] = ':';
        twoDigits(abs / 60 % 60);
        bytes[length++] = '"';
        return this;
    }

    /** Year-month-day of a day count from 1970-01-01 (proleptic Gregorian, years 0-9999). */
    private void civilDate(long epochDay) {
        // Howard Hinnant's days-to-civil, in eras of 400 years
        long z = epochDay + 719_468;
        long era = Math.floorDiv(z, 146_097);
        long dayOfEra = z - era * 146_097;
        long yearOfEra =
                (dayOfEra - dayOfEra / 1460 + dayOfEra / 36_524 - dayOfEra / 146_096) / 365;
        long dayOfYear = dayOfEra - (365 * yearOfEra + yearOfEra / 4 - yearOfEra / 100);
        long monthIndex = (5 * dayOfYear + 2) / 153;
        int day = (int) (dayOfYear - (153 * monthIndex + 2) / 5 + 1);
        int month = (int) (monthIndex < 10 ? monthIndex + 3 : monthIndex - 9);
        int year = (int) (yearOfEra + era * 400 + (month <= 2 ? 1 : 0));
        twoDigits(year / 100);
        twoDigits(year % 100);
        bytes[length++] = '-';
        twoDigits(month);
        bytes[length++] = '-';
        twoDigits(day);
    }

    private void twoDigits(int v) {
        bytes[length++] = (byte) ('0' + v / 10);
        bytes[length++] = (byte) ('0' + v % 10);
    }

    private void ensure(int more) {
        if (length + more > bytes.length) {
            bytes = Arrays.copyOf(bytes, Math.max(bytes.length * 2, length + more));
        }
    }
}
