package org.jkn.telemetry.store.journal;

import java.sql.SQLException;
import org.jkn.telemetry.store.crypto.CryptoFailure;
import org.postgresql.util.PSQLException;

/**
 * Sorts a failed write into the two answers the drainer has: try again later, or move the record
 * aside as a dead letter. Only a failure caused by the data itself is a refusal; a database that is
 * away, busy, full, shutting down or misconfigured fails every record alike, so those are retried
 * with back-off and never dead-lettered (dead-lettering them would only move the whole stream
 * aside).
 *
 * <p>PostgreSQL SQLSTATE classes (Appendix A of its manual), as the drainer meets them:
 *
 * <ul>
 *   <li>refused (the data's fault): 09 triggered action exception and 20 case not found (a trigger
 *       or routine run on the row fails, or a CASE has no branch for its value: the same row fails
 *       the same way again, as with 27 and P0), 21 cardinality violation, 22 data exception, 23
 *       integrity constraint violation, 27 triggered data change violation, 2F SQL routine
 *       exception, 38 external routine exception, 39 external routine invocation exception, 44 WITH
 *       CHECK OPTION violation, 54 program limit exceeded (a row or value too large), P0 PL/pgSQL
 *       error (a trigger raising an exception);
 *   <li>retried: 08 connection exception, 0A feature not supported, 25 invalid transaction state,
 *       28 invalid authorization, 3D invalid catalog name, 3F invalid schema name, 40 transaction
 *       rollback (serialization failure, deadlock), 42 syntax error or access rule violation (a
 *       missing table or privilege: an operator's fix), 53 insufficient resources (disk full, out
 *       of memory, too many connections), 55 object not in prerequisite state (lock not available),
 *       57 operator intervention (query cancelled, shutdown), 58 system error (I/O), XX internal
 *       error, a failure with no SQLSTATE (the driver lost the connection), and every class not
 *       named above.
 * </ul>
 *
 * One exception inside class 23: PostgreSQL reports a row no partition takes as 23514 without a
 * constraint name. The partition is missing, not the data wrong (schema maintenance creates it), so
 * that is retried.
 *
 * <p>A {@link CryptoFailure} is retried when it says so ({@code keys-unavailable}: the key table
 * could not be read) and refused otherwise (a record that does not open under its key).
 */
public final class WriteFailures {

    private WriteFailures() {}

    /** True when retrying cannot help: the record itself is refused. */
    public static boolean isRefusal(Throwable failure) {
        if (failure instanceof CryptoFailure f) {
            return !f.isRetryable();
        }
        String state = sqlState(failure);
        if (state == null || (state.equals("23514") && constraintOf(failure) == null)) {
            return false;
        }
        return isRefusalClass(state.substring(0, Math.min(2, state.length())));
    }

    private static String constraintOf(Throwable failure) {
        for (Throwable t = failure; t != null; t = t.getCause()) {
            if (t instanceof PSQLException p && p.getServerErrorMessage() != null) {
                return p.getServerErrorMessage().getConstraint();
            }
        }
        return null;
    }

    /** The first SQLSTATE in the failure's chain, or null. */
    public static String sqlState(Throwable failure) {
        for (Throwable t = failure; t != null; t = t.getCause()) {
            if (t instanceof SQLException sql) {
                for (SQLException s = sql; s != null; s = s.getNextException()) {
                    if (s.getSQLState() != null) {
                        return s.getSQLState();
                    }
                }
            }
        }
        return null;
    }

    private static boolean isRefusalClass(String sqlClass) {
        return switch (sqlClass) {
            case "09", "20", "21", "22", "23", "27", "2F", "38", "39", "44", "54", "P0" -> true;
            default -> false;
        };
    }
}
