package org.jkn.telemetry.store.crypto;

/**
 * A key-encryption key (KEK): wraps and unwraps patients' data keys and never leaves its holder.
 * {@link LocalKek} keeps it in memory from configuration; a KMS or Vault transit implementation
 * would send the data key to the service instead (its {@code encrypt}/{@code decrypt} calls take
 * the same context as additional authenticated data).
 *
 * <p>Implementations are thread-safe. Calls are rare (once per patient per cache lifetime, and
 * during rotation), so a network round trip per call is acceptable.
 */
public interface KeyEncryptionKey {

    /**
     * Stable id stored next to every data key wrapped by this KEK, so rotation knows which KEK
     * unwraps it.
     */
    String id();

    /**
     * Wraps a data key. {@code context} is bound to the result (authenticated, not stored): the
     * same context must be given to {@link #unwrap}, so a wrapped key copied to another patient's
     * row fails.
     */
    byte[] wrap(byte[] dataKey, byte[] context);

    /**
     * The data key, or a {@link CryptoFailure} ({@code key-unwrap-failed}) when the bytes or
     * context do not match.
     */
    byte[] unwrap(byte[] wrapped, byte[] context);
}
