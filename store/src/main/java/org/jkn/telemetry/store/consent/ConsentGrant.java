package org.jkn.telemetry.store.consent;

/**
 * One permission compiled from an active Consent: an action on a set of data categories (a {@code
 * DataCategory} bit set), for disclosure to one actor ({@code Practitioner/{id}} or {@code
 * Organization/{id}}; null for collection), in force from {@code fromMicros} (inclusive) to {@code
 * toMicros} (exclusive), epoch microseconds, {@link Long#MIN_VALUE} / {@link Long#MAX_VALUE} when
 * open. Immutable.
 */
public record ConsentGrant(
        Action action, int categories, String actor, long fromMicros, long toMicros) {

    public enum Action {
        COLLECT("collect"),
        DISCLOSE("disclose");

        private final String code;

        Action(String code) {
            this.code = code;
        }

        public String code() {
            return code;
        }

        static Action of(String code) {
            return switch (code) {
                case "collect" -> COLLECT;
                case "disclose" -> DISCLOSE;
                default -> throw new IllegalArgumentException("unknown consent action " + code);
            };
        }
    }

    public ConsentGrant {
        if (categories == 0) {
            throw new IllegalArgumentException("a grant covers at least one category");
        }
        if ((action == Action.COLLECT) != (actor == null)) {
            throw new IllegalArgumentException(
                    "disclosure grants name an actor, collection grants none");
        }
        if (toMicros <= fromMicros) {
            throw new IllegalArgumentException("a grant's period must not be empty");
        }
    }

    boolean inForceAt(long micros) {
        return micros >= fromMicros && micros < toMicros;
    }
}
