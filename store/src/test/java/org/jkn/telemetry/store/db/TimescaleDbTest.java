package org.jkn.telemetry.store.db;

import org.jkn.telemetry.store.fixtures.TimescaleCluster;

/**
 * {@link TimescaleDbContract} on the local TimescaleDB cluster of {@link TimescaleCluster}; skipped
 * with the reason where {@code ../shared/timescaledb} is absent.
 */
class TimescaleDbTest extends TimescaleDbContract {

    @Override
    protected Endpoint endpoint() {
        return new Endpoint(
                TimescaleCluster.createDatabase("timescale_db_test"), TimescaleCluster.USER, null);
    }
}
