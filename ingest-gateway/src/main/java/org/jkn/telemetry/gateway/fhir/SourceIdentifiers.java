package org.jkn.telemetry.gateway.fhir;

import java.nio.charset.StandardCharsets;

/**
 * The identifier system of a reading as its device sent it: {@code urn:telemetry:device:{device
 * id}:reading}, the device id percent-encoded so that any id makes a valid URI, and the reading id
 * as sent for the value. A reading id is unique only per device, so the system is scoped to the
 * device: an app checks that a reading was stored with {@code identifier=system|value}.
 */
final class SourceIdentifiers {

    private static final String PREFIX = "urn:telemetry:device:";
    private static final String SUFFIX = ":reading";
    private static final char[] HEX = "0123456789ABCDEF".toCharArray();

    private SourceIdentifiers() {}

    static String system(String deviceId) {
        StringBuilder s = new StringBuilder(PREFIX.length() + deviceId.length() + SUFFIX.length());
        s.append(PREFIX);
        for (byte b : deviceId.getBytes(StandardCharsets.UTF_8)) {
            int c = b & 0xff;
            if (unreserved(c)) {
                s.append((char) c);
            } else {
                s.append('%').append(HEX[c >> 4]).append(HEX[c & 0xf]);
            }
        }
        return s.append(SUFFIX).toString();
    }

    /**
     * The device id a system names, or null when it is not a reading identifier system of this
     * service (or its encoding is not the one {@link #system} writes).
     */
    static String deviceOf(String system) {
        if (system == null
                || !system.startsWith(PREFIX)
                || !system.endsWith(SUFFIX)
                || system.length() <= PREFIX.length() + SUFFIX.length()) {
            return null;
        }
        String encoded = system.substring(PREFIX.length(), system.length() - SUFFIX.length());
        byte[] bytes = new byte[encoded.length()];
        int n = 0;
        for (int i = 0; i < encoded.length(); i++) {
            char c = encoded.charAt(i);
            if (c == '%' && i + 2 < encoded.length()) {
                int high = Character.digit(encoded.charAt(i + 1), 16);
                int low = Character.digit(encoded.charAt(i + 2), 16);
                if (high < 0 || low < 0) {
                    return null;
                }
                bytes[n++] = (byte) (high << 4 | low);
                i += 2;
            } else if (c < 0x80 && unreserved(c)) {
                bytes[n++] = (byte) c;
            } else {
                return null;
            }
        }
        String device = new String(bytes, 0, n, StandardCharsets.UTF_8);
        // only the canonical spelling names a device, so one reading has one system
        return system(device).equals(system) ? device : null;
    }

    private static boolean unreserved(int c) {
        return (c >= 'a' && c <= 'z')
                || (c >= 'A' && c <= 'Z')
                || (c >= '0' && c <= '9')
                || c == '-'
                || c == '.'
                || c == '_'
                || c == '~';
    }
}
