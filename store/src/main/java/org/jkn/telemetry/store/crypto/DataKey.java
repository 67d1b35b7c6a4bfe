package org.jkn.telemetry.store.crypto;

import javax.crypto.SecretKey;

/** One patient's AES-256 data key in a given version, unwrapped (held in memory only). */
public record DataKey(String patientId, int version, SecretKey key) {

    @Override
    public String toString() {
        return "DataKey[version=" + version + "]"; // never the key, nor the patient
    }
}
