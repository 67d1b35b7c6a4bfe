package org.jkn.telemetry.store.crypto;

import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.concurrent.atomic.AtomicLong;
import javax.sql.DataSource;

/**
 * 96-bit AES-GCM nonces built as NIST SP 800-38D §8.2.1 (deterministic construction): a 32-bit
 * fixed field unique to this process start, taken from the database sequence {@code
 * seal_nonce_prefix} (shared by every instance, never cycling), followed by a 64-bit invocation
 * counter that starts at 0 and only grows. Two nonces from one source differ in the counter; nonces
 * of two sources (two starts, two instances) differ in the fixed field. So no nonce repeats under
 * any key, whatever the number of instances, restarts or patients, without coordinating per seal.
 * (§8.3 limits the invocations of this construction only by the counter's size; the sequence allows
 * 2^32 - 1 process starts.)
 *
 * <p>Thread-safe and lock-free: one atomic increment per nonce.
 */
public final class NonceSource {

    public static final int NONCE_BYTES = 12;

    private final int fixedField;
    private final AtomicLong counter = new AtomicLong();

    NonceSource(int fixedField) {
        this.fixedField = fixedField;
    }

    /** Takes a fresh fixed field from the database; call once per process start. */
    public static NonceSource fromDatabase(DataSource dataSource) throws SQLException {
        try (Connection c = dataSource.getConnection();
                Statement s = c.createStatement();
                ResultSet r = s.executeQuery("select nextval('seal_nonce_prefix')")) {
            r.next();
            long v = r.getLong(1);
            if (v < 1 || v > 0xFFFF_FFFFL) {
                throw new IllegalStateException("seal_nonce_prefix is out of the 32-bit range");
            }
            return new NonceSource((int) v);
        }
    }

    public int fixedField() {
        return fixedField;
    }

    /** Writes the next nonce into {@code out[offset .. offset + 12)}. */
    public void next(byte[] out, int offset) {
        long n = counter.getAndIncrement();
        if (n < 0) {
            throw new IllegalStateException(
                    "nonce counter exhausted; restart to take a new fixed field");
        }
        putInt(out, offset, fixedField);
        putInt(out, offset + 4, (int) (n >>> 32));
        putInt(out, offset + 8, (int) n);
    }

    private static void putInt(byte[] b, int i, int v) {
        b[i] = (byte) (v >>> 24);
        b[i + 1] = (byte) (v >>> 16);
        b[i + 2] = (byte) (v >>> 8);
        b[i + 3] = (byte) v;
    }
}
