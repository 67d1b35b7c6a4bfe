package org.jkn.telemetry.store.device;

import java.security.SecureRandom;
import java.util.Base64;
import java.util.HexFormat;

/**
 * Server-generated device ids and secrets. Ids are {@code dev-} and 32 hex digits: valid as an MQTT
 * username, as a topic level (no {@code + # / $}) and as the batch format's {@code device.id}.
 * Secrets are 32 random bytes, base64url without padding (43 characters).
 *
 * <p>Thread-safe.
 */
public final class DeviceIds {

    private static final String PREFIX = "dev-";
    private static final int ID_BYTES = 16;
    private static final int SECRET_BYTES = 32;
    private static final int MAX_ID_LENGTH = 64;

    private final SecureRandom random = new SecureRandom();

    public String newDeviceId() {
        byte[] b = new byte[ID_BYTES];
        random.nextBytes(b);
        return PREFIX + HexFormat.of().formatHex(b);
    }

    public String newSecret() {
        byte[] b = new byte[SECRET_BYTES];
        random.nextBytes(b);
        return Base64.getUrlEncoder().withoutPadding().encodeToString(b);
    }

    /**
     * True when the text could be a device id this registry issued: 1-64 characters of lower-case
     * letters, digits and {@code -}. Anything else is unknown without asking the database.
     */
    public static boolean isPlausible(String id) {
        if (id == null || id.isEmpty() || id.length() > MAX_ID_LENGTH) {
            return false;
        }
        for (int i = 0; i < id.length(); i++) {
            char c = id.charAt(i);
            if (!((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-')) {
                return false;
            }
        }
        return true;
    }
}
