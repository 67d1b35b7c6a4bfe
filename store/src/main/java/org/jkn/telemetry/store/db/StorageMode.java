package org.jkn.telemetry.store.db;

/** How the readings table is laid out in time. Same table, columns and queries either way. */
public enum StorageMode {
    /** TimescaleDB hypertable with chunks, optional compression and retention policies. */
    TIMESCALE,
    /**
     * PostgreSQL declarative range partitioning by month, created ahead by {@link
     * SchemaMaintenance}.
     */
    NATIVE_PARTITIONS
}
