package org.jkn.telemetry.store.device;

/**
 * The outcome of checking a device's credentials, with the device when they were good. Stable
 * outcomes, mapped by the caller to protocol codes (MQTT CONNACK reason codes, HTTP statuses).
 */
public record AuthResult(Outcome outcome, RegisteredDevice device) {

    public enum Outcome {
        /** Id and secret match an active registration. */
        ACCEPTED,
        /** No such device, or the secret does not match: the caller cannot tell which. */
        BAD_CREDENTIALS,
        /** The secret matches but the device was revoked. */
        REVOKED,
        /** Too many verifications are running; retry later (a retry can help). */
        BUSY
    }

    static final AuthResult BAD_CREDENTIALS = new AuthResult(Outcome.BAD_CREDENTIALS, null);
    static final AuthResult REVOKED = new AuthResult(Outcome.REVOKED, null);
    static final AuthResult BUSY = new AuthResult(Outcome.BUSY, null);

    static AuthResult accepted(RegisteredDevice device) {
        return new AuthResult(Outcome.ACCEPTED, device);
    }

    public boolean accepted() {
        return outcome == Outcome.ACCEPTED;
    }
}
