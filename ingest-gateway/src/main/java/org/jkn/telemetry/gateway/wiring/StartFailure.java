package org.jkn.telemetry.gateway.wiring;

import java.io.IOException;
import java.sql.SQLException;

/**
 * How a failed start is reported: an I/O or SQL failure as it is, anything else as an I/O failure
 * naming its cause.
 */
public final class StartFailure {

    private StartFailure() {}

    /** The failure to throw for {@code e}; throws it right away when it is an SQL failure. */
    public static IOException of(Exception e) throws SQLException {
        if (e instanceof IOException io) {
            return io;
        }
        if (e instanceof SQLException sql) {
            throw sql;
        }
        return new IOException("the gateway could not start: " + e.getMessage(), e);
    }
}
