package org.jkn.telemetry.store.db;

import java.sql.Connection;
import java.sql.SQLException;

/**
 * More work for a transaction another class opened: it runs on that transaction's connection before
 * the commit, so both commit or neither does (e.g. the audit record of a consent change).
 */
@FunctionalInterface
public interface TransactionStep {

    TransactionStep NONE = c -> {};

    void apply(Connection c) throws SQLException;
}
