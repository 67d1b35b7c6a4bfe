package org.jkn.telemetry.store.crypto;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The current KEK, which wraps every new data key, and the previous ones, which only unwrap keys
 * not yet re-wrapped by {@link KekRotation}. A previous KEK can be removed from configuration once
 * rotation has finished. Immutable and thread-safe.
 */
public final class KekRing {

    private final KeyEncryptionKey current;
    private final Map<String, KeyEncryptionKey> byId = new LinkedHashMap<>();

    public KekRing(KeyEncryptionKey current, List<? extends KeyEncryptionKey> previous) {
        this.current = current;
        byId.put(current.id(), current);
        for (KeyEncryptionKey k : previous) {
            if (byId.putIfAbsent(k.id(), k) != null) {
                throw new IllegalArgumentException("KEK id " + k.id() + " is configured twice");
            }
        }
    }

    public KeyEncryptionKey current() {
        return current;
    }

    /** The KEK with this id, or a {@link CryptoFailure} {@code kek-unknown}. */
    public KeyEncryptionKey get(String id) {
        KeyEncryptionKey k = byId.get(id);
        if (k == null) {
            throw new CryptoFailure(
                    CryptoFailure.KEK_UNKNOWN,
                    "a data key is wrapped by a KEK that is not configured");
        }
        return k;
    }
}
