package org.jkn.telemetry.store.device;

/**
 * Too many secret hashes are being computed at once; nothing was registered. Retrying later can
 * help. The bound exists so a burst of registrations or logins cannot take every CPU.
 */
public final class RegistryBusyException extends RuntimeException {

    public RegistryBusyException() {
        super("the device registry is busy hashing secrets; nothing was registered, retry later");
    }

    public boolean isRetryable() {
        return true;
    }
}
