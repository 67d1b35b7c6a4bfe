package org.jkn.telemetry.store.device;

/**
 * A new device's id and secret, handed out once at registration: only a slow hash of the secret is
 * kept, so it cannot be shown again. {@link #toString()} leaves the secret out.
 */
public record DeviceCredentials(String deviceId, String secret) {

    @Override
    public String toString() {
        return "DeviceCredentials[deviceId=" + deviceId + "]";
    }
}
