package org.jkn.telemetry.store.device;

/**
 * A device secret as it is stored: PBKDF2-HMAC-SHA256 output with its salt and iteration count. The
 * parameters travel with the hash so the cost can be raised for new registrations without
 * invalidating existing devices.
 */
public record SecretHash(byte[] salt, int iterations, byte[] hash) {

    public SecretHash {
        salt = salt.clone();
        hash = hash.clone();
    }

    @Override
    public byte[] salt() {
        return salt.clone();
    }

    @Override
    public byte[] hash() {
        return hash.clone();
    }

    @Override
    public String toString() {
        return "SecretHash[iterations=" + iterations + "]";
    }
}
