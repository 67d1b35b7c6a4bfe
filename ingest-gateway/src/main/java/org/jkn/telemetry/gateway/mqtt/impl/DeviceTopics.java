package org.jkn.telemetry.gateway.mqtt.impl;

/**
 * The topics one device may use, and the classification of any topic name it sends. A device
 * publishes readings to {@code devices/{id}/readings}, may receive responses on {@code
 * devices/{id}/responses} and may leave a Will on {@code devices/{id}/status}; everything else is
 * someone else's. Device ids are server-generated ({@code dev-} and hex), so they never contain
 * {@code + # / $} and cannot widen a topic.
 */
final class DeviceTopics {

    enum Kind {
        OWN_READINGS,
        OWN_RESPONSES,
        OWN_STATUS,
        /** Well formed but not this device's: another device's topic, or any other name. */
        FOREIGN,
        /**
         * Begins with {@code $} ({@code $SYS}, {@code $share/...}): reserved for the server, MQTT 5
         * §4.7.2.
         */
        RESERVED,
        /**
         * Contains {@code +} or {@code #}, which a topic name must not (MQTT 5 §3.3.2.1,
         * [MQTT-3.3.2-2]).
         */
        WILDCARD,
        /**
         * Zero length: a Protocol Error without a Topic Alias (MQTT 5 §3.3.2.3.4), invalid in 3.1.1
         * (§4.7.3).
         */
        EMPTY,
        /**
         * Not well-formed UTF-8 or containing U+0000 (MQTT 5 §1.5.4): a Malformed Packet. The
         * decoder turns invalid UTF-8 into U+FFFD, so that character is taken as the sign of it.
         */
        MALFORMED
    }

    private final String readings;
    private final String responses;
    private final String status;

    DeviceTopics(String deviceId) {
        String base = "devices/" + deviceId + "/";
        this.readings = base + "readings";
        this.responses = base + "responses";
        this.status = base + "status";
    }

    String readings() {
        return readings;
    }

    String responses() {
        return responses;
    }

    Kind classify(String topic) {
        // fast path first: the one topic a well-behaved device uses
        if (readings.equals(topic)) {
            return Kind.OWN_READINGS;
        }
        return classifySlow(topic);
    }

    private Kind classifySlow(String topic) {
        if (topic == null || topic.isEmpty()) {
            return Kind.EMPTY;
        }
        boolean wildcard = false;
        for (int i = 0; i < topic.length(); i++) {
            char c = topic.charAt(i);
            if (c == '\uFFFD' || c == '\u0000') {
                return Kind.MALFORMED;
            }
            wildcard |= c == '+' || c == '#';
        }
        if (wildcard) {
            return Kind.WILDCARD;
        }
        if (topic.charAt(0) == '$') {
            return Kind.RESERVED;
        }
        if (responses.equals(topic)) {
            return Kind.OWN_RESPONSES;
        }
        if (status.equals(topic)) {
            return Kind.OWN_STATUS;
        }
        return Kind.FOREIGN;
    }
}
